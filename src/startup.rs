//! The HTTP server: connection pool, router (`/graphql`, `/exports/*.csv`, `/healthz`),
//! lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse, rejection::GraphQLRejection};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;

use crate::auth::{self, CurrentUser, Passwords};
use crate::config::{CreateUserArgs, Settings};
use crate::domain::{DistrictList, Password, Username};
use crate::error::AppError;
use crate::graphql::{self, AppSchema};
use crate::service::pii::PiiKey;
use crate::service::rate_limit::RateLimiter;
use crate::service::{Deps, account, export};

/// Largest request body accepted on `/graphql`.
/// Fits an `enrolMany` of 10,000 rows (about 1.2 MB of JSON) with room to spare.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Concurrent argon2 computations; more wait, so hashing cannot starve the runtime.
const MAX_CONCURRENT_HASHES: usize = 4;
/// HMAC key used when `TALENT_PII_KEY` is unset: fine for a demo, never for real data.
const DEVELOPMENT_PII_KEY: &[u8] = b"talent-registry development key: set TALENT_PII_KEY";

/// A built, bound, not yet running server.
pub struct App {
    listener: TcpListener,
    router: Router,
    deps: Deps,
}

#[derive(Clone)]
struct AppState {
    schema: AppSchema,
    deps: Deps,
}

impl App {
    /// Connects, migrates, bootstraps and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = connect(&settings).await?;
        Migrator::up(&db, None)
            .await
            .context("running migrations")?;
        let deps = deps(&settings, db)?;
        crate::bootstrap::run(&deps, &settings).await?;
        let schema = graphql::schema(deps.clone(), settings.introspection);
        let state = AppState {
            schema,
            deps: deps.clone(),
        };
        let router = Router::new()
            .route("/graphql", get(graphiql).post(graphql_handler))
            .route("/exports/progress.csv", get(export_progress))
            .route("/exports/stats.csv", get(export_stats))
            .route("/healthz", get(healthz))
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
            .layer(axum::middleware::map_response(coded_refusals))
            .with_state(state);
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        Ok(Self {
            listener,
            router,
            deps,
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

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(address = %self.address()?, "listening");
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")
    }
}

/// Opens the pool. SQLite runs in WAL mode with a busy timeout and foreign keys on, so
/// concurrent writers wait for each other instead of failing.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.database_url.expose_secret().to_owned());
    options
        .max_connections(settings.db_max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .context("connecting to the database (DATABASE_URL)")
}

/// Service dependencies from the settings.
pub fn deps(settings: &Settings, db: DatabaseConnection) -> anyhow::Result<Deps> {
    let pii = match &settings.pii_key {
        Some(key) if key.expose_secret().len() >= 16 => PiiKey::new(key.expose_secret().as_bytes()),
        Some(_) => anyhow::bail!("TALENT_PII_KEY must be at least 16 characters"),
        None => {
            tracing::warn!("TALENT_PII_KEY is not set: using the development key");
            PiiKey::new(DEVELOPMENT_PII_KEY)
        }
    };
    let districts = match &settings.districts {
        Some(spec) => {
            DistrictList::from_spec(spec).map_err(|e| anyhow::anyhow!("TALENT_DISTRICTS {e}"))?
        }
        None => DistrictList::shenzhen(),
    };
    Ok(Deps {
        db,
        pii,
        districts: Arc::new(districts),
        passwords: Passwords::new(MAX_CONCURRENT_HASHES)?,
        session_ttl: chrono::Duration::hours(i64::from(settings.session_ttl_hours)),
        verify_limiter: Arc::new(RateLimiter::new(
            settings.verify_per_minute,
            Duration::from_secs(60),
        )),
    })
}

/// `migrate`: applies pending migrations.
pub async fn migrate_command(settings: &Settings) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    tracing::info!("database is up to date");
    Ok(())
}

/// `seed`: synthetic data at the chosen scale, then the maintained counts rebuilt.
pub async fn seed_command(
    settings: &Settings,
    options: &crate::seed::SeedOptions,
) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    let deps = deps(settings, db)?;
    crate::bootstrap::run(&deps, settings).await?;
    let report = crate::seed::run(&deps.db, &deps.pii, options).await?;
    println!("{report:?}");
    Ok(())
}

/// `verify-counts`: prints every difference between the maintained counts and a recount
/// from the base tables; returns how many there are.
pub async fn verify_counts_command(settings: &Settings) -> anyhow::Result<usize> {
    let db = connect(settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    let differences = crate::service::recount::verify(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for line in &differences {
        println!("{line}");
    }
    println!("{} difference(s)", differences.len());
    Ok(differences.len())
}

/// `create-user`: an account made by the operator, e.g. the first analyst.
pub async fn create_user_command(settings: &Settings, args: CreateUserArgs) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    let deps = deps(settings, db)?;
    let input = account::NewUser {
        username: Username::parse(&args.username).map_err(|e| anyhow::anyhow!("--username {e}"))?,
        password: Password::parse(args.password.expose_secret())
            .map_err(|e| anyhow::anyhow!("password {e}"))?,
        role: args
            .role
            .parse()
            .map_err(|e| anyhow::anyhow!("--role {e}"))?,
        institution_id: args.institution_id,
    };
    let user = account::create_user(&deps, None, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created user {} ({}) with id {}",
        user.username, user.role, user.id
    );
    Ok(())
}

async fn graphql_handler(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => {
            let response = graphql::refusal(
                format!("unreadable request: {}", rejection.0),
                "BAD_USER_INPUT",
            );
            return (StatusCode::BAD_REQUEST, Json(response)).into_response();
        }
    };
    let token = auth::bearer_token(&headers).map(str::to_owned);
    let caller = match signed_in(&state, token.as_deref()).await {
        Ok(caller) => caller,
        Err(()) => {
            let response = graphql::refusal("internal error".to_owned(), "INTERNAL_SERVER_ERROR");
            return (StatusCode::SERVICE_UNAVAILABLE, Json(response)).into_response();
        }
    };
    GraphQLResponse::from(
        graphql::execute(&state.schema, request, caller, token, client.ip()).await,
    )
    .into_response()
}

/// The caller of a bearer token: `None` without a token or for an unknown, expired or
/// revoked one; `Err` when the session store cannot be read (logged here).
async fn signed_in(state: &AppState, token: Option<&str>) -> Result<Option<CurrentUser>, ()> {
    let Some(token) = token else {
        return Ok(None);
    };
    account::authenticate(&state.deps.db, token)
        .await
        .map_err(|err| tracing::error!(error = %err, "session lookup failed"))
}

/// Query parameters in order, repeats kept (`groupBy=TRACK&groupBy=MONTH`).
type Params = Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>;

/// `GET /exports/progress.csv`: `programmeProgress` as a spreadsheet file.
async fn export_progress(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let file = match exporter(&state, &headers, params).await {
        Ok((caller, params)) => export::progress_csv(&state.deps.db, &caller, &params).await,
        Err(response) => return response,
    };
    csv_file("progress", file)
}

/// `GET /exports/stats.csv?groupBy=…`: `stats` as a spreadsheet file.
async fn export_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let file = match exporter(&state, &headers, params).await {
        Ok((caller, params)) => {
            export::stats_csv(&state.deps.db, &caller, &state.deps.districts, &params).await
        }
        Err(response) => return response,
    };
    csv_file("stats", file)
}

/// The signed-in caller and the parameters of an export, or the refusal to send.
async fn exporter(
    state: &AppState,
    headers: &HeaderMap,
    params: Params,
) -> Result<(CurrentUser, Vec<(String, String)>), Response> {
    let caller = match signed_in(state, auth::bearer_token(headers)).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return Err(export_refusal(&AppError::Unauthenticated)),
        Err(()) => {
            return Err(export_refusal(&AppError::Internal(anyhow::anyhow!(
                "sessions"
            ))));
        }
    };
    let Query(params) = params.map_err(|rejection| {
        plain(
            StatusCode::BAD_REQUEST,
            format!("BAD_USER_INPUT: query {}", rejection.body_text()),
        )
    })?;
    Ok((caller, params))
}

/// A CSV file as a download named `<name>-<today>.csv`, or the refusal of the service.
fn csv_file(name: &str, file: Result<Vec<u8>, AppError>) -> Response {
    match file {
        Ok(bytes) => {
            let today = crate::domain::programme_date(crate::service::now());
            let disposition = format!("attachment; filename=\"{name}-{today}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(err) => export_refusal(&err),
    }
}

/// An export's refusal: the status of its code and a one-line `CODE: message` body.
fn export_refusal(err: &AppError) -> Response {
    let status = match err {
        AppError::Validation { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Conflict(_) | AppError::CapacityFull => StatusCode::CONFLICT,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = if err.is_internal() {
        tracing::error!(error = %err, "export failed");
        "internal error".to_owned()
    } else {
        err.to_string()
    };
    let mut response = plain(status, format!("{}: {message}", err.code()));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// The body-limit layer answers 413 in plain text; clients get the same JSON error shape
/// as every other refusal.
async fn coded_refusals(response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let refusal = graphql::refusal(
        format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        "BAD_USER_INPUT",
    );
    (StatusCode::PAYLOAD_TOO_LARGE, Json(refusal)).into_response()
}

async fn graphiql() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(graphql::graphiql_page()),
    )
}

async fn healthz() -> &'static str {
    "ok"
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
