//! The accept loop: connection permits, the request-head timeout, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::App;

/// Bounds of the connection layer.
pub(super) struct ConnectionLimits {
    /// Connections served at once (`TALENT_MAX_CONNECTIONS`).
    pub(super) max_connections: usize,
    /// Longest wait for a request head (`TALENT_HEADER_TIMEOUT_MS`).
    pub(super) header_timeout: Duration,
}

impl App {
    /// Serves until SIGINT or SIGTERM, then stops accepting connections and finishes
    /// in-flight requests for at most the grace period (`TALENT_SHUTDOWN_GRACE_MS`).
    ///
    /// At most `TALENT_MAX_CONNECTIONS` connections are served at once: past that the
    /// loop stops accepting and the kernel's backlog holds the rest. A request head must
    /// arrive within `TALENT_HEADER_TIMEOUT_MS` (else the connection is closed, as nginx
    /// does), its body within the request time limit (else 408).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(address = %self.address()?, "listening");
        let compaction = tokio::spawn(compact_periodically(self.deps.db.clone()));
        let graceful = GracefulShutdown::new();
        let permits = Arc::new(Semaphore::new(self.limits.max_connections));
        let mut builder = ConnectionBuilder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout);
        builder.http2().timer(TokioTimer::new());
        let mut stopping = std::pin::pin!(shutdown_signal());
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => permit.context("connection permits")?,
                () = &mut stopping => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(error = %err, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stopping => break,
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    router.clone().oneshot(request.map(axum::body::Body::new))
                });
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(self.listener);
        compaction.abort();
        let grace = self.shutdown_grace;
        tokio::select! {
            () = graceful.shutdown() => Ok(()),
            () = tokio::time::sleep(grace) => {
                tracing::warn!(grace_ms = grace.as_millis(), "grace period over: exiting with requests in flight");
                Ok(())
            }
        }
    }
}

/// How often past days' and months' shards of `progress_day` and `progress_month` are
/// folded into one row.
const COMPACTION_EVERY: Duration = Duration::from_secs(3600);

/// Folds the shards of past days and months at start and every hour, so `asOf` reads
/// about one row per figure and month whatever the write rate was.
async fn compact_periodically(db: sea_orm::DatabaseConnection) {
    let mut every = tokio::time::interval(COMPACTION_EVERY);
    loop {
        every.tick().await;
        match crate::service::counting::as_of::compact(&db).await {
            Ok(rows) => tracing::debug!(rows, "folded past days' and months' shards"),
            Err(err) => {
                tracing::warn!(error = %err, "folding past days' and months' shards failed")
            }
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
