//! The HTTP edge: [`App`] (build, bind, serve) and its routes (`/graphql`,
//! `/exports/*.csv`, `/healthz`, `/readyz`, `/metrics`, and the pages for people: `/`,
//! `/verify`, `/dashboard`, `/workspace`, `/assets/…`). The only module besides `auth`
//! that knows axum.

mod caller;
mod exports;
mod graphql;
mod health;
mod metrics;
mod observe;
mod pages;
mod proxies;
mod refusal;
mod router;
mod serve;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::Settings;
use crate::graphql::{Api, SchemaOptions};
use crate::service::Deps;
use crate::wiring::{connect_and_migrate, deps};

pub use proxies::TrustedProxies;

/// Largest request body accepted on `/graphql`.
/// Fits an `enrolMany` of 10,000 rows (about 1.2 MB of JSON) with room to spare.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A built, bound, not yet running server.
pub struct App {
    listener: TcpListener,
    router: Router,
    deps: Deps,
    shutdown_grace: Duration,
    limits: serve::ConnectionLimits,
}

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    api: Api,
    deps: Deps,
    request_timeout: Duration,
    /// Tries of a request whose database connection broke (the first one included).
    max_attempts: u32,
    /// Turns of bulk work (`TALENT_BULK_CONCURRENCY`).
    bulk: Arc<Semaphore>,
    /// Whose `X-Forwarded-For` names the client (`TALENT_TRUSTED_PROXIES`).
    proxies: Arc<TrustedProxies>,
    /// Opens `/metrics` to peers other than loopback (`TALENT_METRICS_TOKEN`).
    metrics_token: Option<Arc<secrecy::SecretString>>,
}

impl App {
    /// Connects, migrates, bootstraps and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let deps = deps(&settings, connect_and_migrate(&settings).await?)?;
        crate::bootstrap::run(&deps, &settings).await?;
        let max_attempts = settings.db_max_connections + 1;
        let api = crate::graphql::api(
            deps.clone(),
            SchemaOptions {
                introspection: settings.introspection,
                max_aliases: settings.max_aliases,
                max_attempts,
            },
        );
        let state = AppState {
            api,
            deps: deps.clone(),
            request_timeout: Duration::from_millis(settings.request_timeout_ms),
            max_attempts,
            bulk: Arc::new(Semaphore::new(settings.bulk_concurrency as usize)),
            proxies: Arc::new(settings.trusted_proxies.clone()),
            metrics_token: settings.metrics_token.clone().map(Arc::new),
        };
        crate::telemetry::metrics();
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        Ok(Self {
            listener,
            router: router::router(state),
            deps,
            shutdown_grace: Duration::from_millis(settings.shutdown_grace_ms),
            limits: serve::ConnectionLimits {
                max_connections: usize::try_from(settings.max_connections).unwrap_or(usize::MAX),
                header_timeout: Duration::from_millis(settings.header_timeout_ms),
            },
        })
    }

    /// The bound address (port 0 in the settings picks a free port).
    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The shared dependencies (tests use the pool).
    pub fn deps(&self) -> &Deps {
        &self.deps
    }
}
