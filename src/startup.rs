//! The HTTP server: connection pool, router (`/graphql`, `/exports/*.csv`, `/healthz`,
//! `/readyz`), lifecycle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_graphql_axum::{GraphQLRequest, rejection::GraphQLRejection};
use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;

use crate::auth::{self, CurrentUser, Passwords};
use crate::config::{CreateUserArgs, Settings};
use crate::domain::{DistrictList, Password, Username};
use crate::error::AppError;
use crate::graphql::transport::{self, Answer, Media};
use crate::graphql::{self, Api, SchemaOptions};
use crate::service::pii::PiiKey;
use crate::service::rate_limit::{Clock, LoginThrottle, RateLimiter};
use crate::service::{Deps, account, export, health};

/// Largest request body accepted on `/graphql`.
/// Fits an `enrolMany` of 10,000 rows (about 1.2 MB of JSON) with room to spare.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Longest wait for the database's answer to the readiness check.
const READY_TIMEOUT: Duration = Duration::from_secs(2);
/// HMAC key used when `TALENT_PII_KEY` is unset: fine for a demo, never for real data.
const DEVELOPMENT_PII_KEY: &[u8] = b"talent-registry development key: set TALENT_PII_KEY";

/// A built, bound, not yet running server.
pub struct App {
    listener: TcpListener,
    router: Router,
    deps: Deps,
    shutdown_grace: Duration,
    limits: ConnectionLimits,
}

#[derive(Clone)]
struct AppState {
    api: Api,
    deps: Deps,
    request_timeout: Duration,
    max_attempts: u32,
    bulk: Arc<Semaphore>,
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
        let api = graphql::api(
            deps.clone(),
            SchemaOptions {
                introspection: settings.introspection,
                max_aliases: settings.max_aliases,
                max_attempts: settings.db_max_connections + 1,
            },
        );
        let state = AppState {
            api,
            deps: deps.clone(),
            request_timeout: Duration::from_millis(settings.request_timeout_ms),
            max_attempts: settings.db_max_connections + 1,
            bulk: Arc::new(Semaphore::new(settings.bulk_concurrency as usize)),
        };
        let router = Router::new()
            .route("/graphql", get(graphql_get).post(graphql_post))
            .route("/exports/progress.csv", get(export_progress))
            .route("/exports/stats.csv", get(export_stats))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
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
            shutdown_grace: Duration::from_millis(settings.shutdown_grace_ms),
            limits: ConnectionLimits {
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

    /// Serves until SIGINT or SIGTERM, then stops accepting connections and finishes
    /// in-flight requests for at most the grace period (`TALENT_SHUTDOWN_GRACE_MS`).
    ///
    /// At most `TALENT_MAX_CONNECTIONS` connections are served at once: past that the
    /// loop stops accepting and the kernel's backlog holds the rest. A request head must
    /// arrive within `TALENT_HEADER_TIMEOUT_MS` (else the connection is closed, as nginx
    /// does), its body within the request time limit (else 408).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(address = %self.address()?, "listening");
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

/// Bounds of the connection layer.
struct ConnectionLimits {
    max_connections: usize,
    header_timeout: Duration,
}

/// Opens the pool. SQLite runs in WAL mode with a busy timeout and foreign keys on, so
/// concurrent writers wait for each other instead of failing.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.database_url.expose_secret().to_owned());
    options
        .max_connections(settings.db_max_connections)
        .acquire_timeout(Duration::from_millis(settings.db_acquire_timeout_ms))
        // sqlx pings every connection it hands out by default: one extra round trip per
        // statement. Ping only connections idle long enough to have been dropped.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
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
    let clock = Clock::system();
    Ok(Deps {
        db,
        pii,
        districts: Arc::new(districts),
        passwords: Passwords::new(hash_permits())?,
        session_ttl: chrono::Duration::hours(i64::from(settings.session_ttl_hours)),
        verify_limiter: Arc::new(RateLimiter::new(
            settings.verify_per_minute,
            Duration::from_secs(60),
            clock.clone(),
        )),
        login_throttle: Arc::new(LoginThrottle::new(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            &clock,
        )),
        clock,
    })
}

/// Concurrent argon2 computations: half the cores, 1 to 4. More wait their turn, so a
/// login flood leaves CPU to every other request.
fn hash_permits() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |cores| cores.get() / 2)
        .clamp(1, 4)
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

/// `GET /graphql`: GraphiQL for a browser when there is no `query` parameter, else a query.
/// A mutation is refused (405): a GET must change nothing.
async fn graphql_get(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if !has_query_parameter(request.uri().query()) {
        return graphiql().await.into_response();
    }
    let media = negotiate(&headers);
    let mut request = match GraphQLRequest::<GraphQLRejection>::from_request(request, &state).await
    {
        Ok(request) => request.into_inner(),
        Err(rejection) => return unreadable(&rejection, media),
    };
    if transport::is_mutation(&mut request) {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are accepted only over POST".to_owned(),
            media,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let deadline = tokio::time::Instant::now() + state.request_timeout;
    run(&state, client, &headers, request, media, deadline).await
}

/// `POST /graphql`: one operation as `application/json` (or `multipart/form-data`).
async fn graphql_post(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let media = negotiate(&headers);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if !transport::readable_content_type(content_type) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json".to_owned(),
            media,
        );
    }
    let deadline = tokio::time::Instant::now() + state.request_timeout;
    // A large body is bulk work (a cohort, a CSV file): it waits for its turn before it
    // is read, so concurrent bulk calls cannot hold more than a few in memory.
    let _turn = if is_large(&headers) {
        match bulk_turn(&state.bulk, deadline).await {
            Ok(turn) => Some(turn),
            Err(err) => return refused_for(&err, media),
        }
    } else {
        None
    };
    let over_limit = Arc::new(AtomicBool::new(false));
    let request = noting_length_limit(request, &over_limit);
    let read = GraphQLRequest::<GraphQLRejection>::from_request(request, &state);
    match tokio::time::timeout_at(deadline, read).await {
        Ok(Ok(request)) => {
            run(
                &state,
                client,
                &headers,
                request.into_inner(),
                media,
                deadline,
            )
            .await
        }
        Ok(Err(_)) if over_limit.load(Ordering::Relaxed) => refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
            media,
        ),
        Ok(Err(rejection)) => unreadable(&rejection, media),
        Err(_) => {
            let limit = state.request_timeout.as_millis();
            tracing::warn!(timeout_ms = limit, "request body too slow");
            let response = graphql::refusal(
                format!("the request body did not arrive within {limit} ms"),
                "TIMEOUT",
            );
            let mut answer = http(transport::refused(408, &response, media));
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            answer
        }
    }
}

/// Resolves the caller and executes, by the request's deadline.
async fn run(
    state: &AppState,
    client: SocketAddr,
    headers: &HeaderMap,
    request: async_graphql::Request,
    media: Media,
    deadline: tokio::time::Instant,
) -> Response {
    if request.query.trim().is_empty() {
        // Not a well-formed GraphQL-over-HTTP request, so 400 whatever the media type.
        return refuse(
            StatusCode::BAD_REQUEST,
            "the request has no query".to_owned(),
            media,
        );
    }
    let token = auth::bearer_token(headers).map(str::to_owned);
    let work = async {
        let caller = match &token {
            Some(token) => session_of(state, token).await?,
            None => None,
        };
        Ok::<_, AppError>(
            graphql::execute(&state.api, request, caller, token.clone(), client.ip()).await,
        )
    };
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(executed)) => http(transport::executed(executed, media)),
        Ok(Err(err)) => refused_for(&err, media),
        Err(_) => {
            let limit = state.request_timeout.as_millis();
            tracing::warn!(timeout_ms = limit, "request timed out");
            let response = graphql::refusal(
                format!("the request took longer than {limit} ms and was stopped"),
                "TIMEOUT",
            );
            http(transport::timed_out(&response, media))
        }
    }
}

/// The caller of `token`, looked up again on a fresh connection when a pooled one
/// turns out to be broken (as the GraphQL execution itself is).
async fn session_of(state: &AppState, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let mut attempt = 1;
    loop {
        match account::authenticate(&state.deps.db, token).await {
            Err(err) if err.is_connection_lost() && attempt < state.max_attempts => {
                attempt += 1;
                tracing::warn!(
                    attempt,
                    "database connection lost: looking the session up again"
                );
            }
            other => return other,
        }
    }
}

/// A body larger than this (or of unknown length) is bulk work, admitted
/// `TALENT_BULK_CONCURRENCY` at a time. Every single-row operation is far smaller.
const LARGE_BODY_BYTES: u64 = 64 * 1024;
/// `Retry-After` of a bulk call that waited the whole request time limit for its turn.
const BULK_RETRY_AFTER_SECS: u32 = 5;

/// A turn to run bulk work, waited for until `deadline`; past it `RATE_LIMITED`.
async fn bulk_turn(
    turns: &Arc<Semaphore>,
    deadline: tokio::time::Instant,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    match tokio::time::timeout_at(deadline, Arc::clone(turns).acquire_owned()).await {
        Ok(Ok(turn)) => Ok(turn),
        _ => Err(AppError::RateLimited {
            retry_after: BULK_RETRY_AFTER_SECS,
        }),
    }
}

/// True for a request body over [`LARGE_BODY_BYTES`] or without a declared length.
fn is_large(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_none_or(|length| length > LARGE_BODY_BYTES)
}

/// The request with its body watched for the body limit: a chunked body declares no
/// length to be refused by, so the limit is met while reading, and the GraphQL extractor
/// reports every read error as text. The flag says which it was.
fn noting_length_limit(request: Request, over_limit: &Arc<AtomicBool>) -> Request {
    let over_limit = Arc::clone(over_limit);
    request.map(|body| {
        axum::body::Body::new(body.map_err(move |err: axum::Error| {
            if std::error::Error::source(&err)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>())
            {
                over_limit.store(true, Ordering::Relaxed);
            }
            err
        }))
    })
}

/// True when the query string has a `query` parameter.
fn has_query_parameter(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("query"))
    })
}

fn negotiate(headers: &HeaderMap) -> Media {
    Media::negotiate(
        headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok()),
    )
}

/// A body that is not one readable GraphQL request: unparsable JSON, a batch, too large.
fn unreadable(rejection: &GraphQLRejection, media: Media) -> Response {
    let (status, message) = transport::unreadable(&rejection.0);
    refuse(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        message,
        media,
    )
}

/// A request refused before execution by a service error: its status, code and
/// `Retry-After`; logged when its details stay on the server.
fn refused_for(err: &AppError, media: Media) -> Response {
    err.log();
    let mut answer = transport::refused(
        err.http_status(),
        &graphql::refusal(err.client_message(), err.code()),
        media,
    );
    answer.retry_after = err.retry_after();
    http(answer)
}

/// A refusal before execution, with its code: `INTERNAL_SERVER_ERROR` for a 5xx, else
/// `BAD_USER_INPUT`.
fn refuse(status: StatusCode, message: String, media: Media) -> Response {
    let code = if status.is_server_error() {
        "INTERNAL_SERVER_ERROR"
    } else {
        "BAD_USER_INPUT"
    };
    http(transport::refused(
        status.as_u16(),
        &graphql::refusal(message, code),
        media,
    ))
}

fn http(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response();
    if let Some(seconds) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Refusals made by layers (body limit, method router) come without a GraphQL body;
/// clients get the same JSON error shape as every other refusal.
async fn coded_refusals(response: Response) -> Response {
    let message = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        StatusCode::METHOD_NOT_ALLOWED
            if !response.headers().contains_key(header::CONTENT_TYPE) =>
        {
            "this method is not allowed here".to_owned()
        }
        _ => return response,
    };
    let status = response.status();
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut refusal = (status, Json(graphql::refusal(message, "BAD_USER_INPUT"))).into_response();
    if let Some(allow) = allow {
        refusal.headers_mut().insert(header::ALLOW, allow);
    }
    refusal
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
    let signed_in = match auth::bearer_token(headers) {
        Some(token) => session_of(state, token).await,
        None => Ok(None),
    };
    let caller = match signed_in {
        Ok(Some(caller)) => caller,
        Ok(None) => return Err(export_refusal(&AppError::Unauthenticated)),
        Err(err) => return Err(export_refusal(&err)),
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
    err.log();
    let status =
        StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = plain(status, format!("{}: {}", err.code(), err.client_message()));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    if let Some(seconds) = err.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
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

async fn graphiql() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(graphql::graphiql_page()),
    )
}

/// The process is up; says nothing of the database.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers `SELECT 1` within [`READY_TIMEOUT`]: 200 `ready`, else 503.
async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, health::ping(&state.deps.db)).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            not_ready()
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            not_ready()
        }
    }
}

fn not_ready() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({
            "status": "unavailable",
            "reason": "the database does not answer",
        })),
    )
        .into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bulk_call_that_waits_past_its_deadline_is_rate_limited_with_retry_after() {
        let turns = Arc::new(Semaphore::new(1));
        let _running = bulk_turn(&turns, tokio::time::Instant::now() + Duration::from_secs(1))
            .await
            .unwrap();

        let waiting = bulk_turn(
            &turns,
            tokio::time::Instant::now() + Duration::from_millis(50),
        )
        .await;

        let err = waiting.unwrap_err();
        assert_eq!(err.code(), "RATE_LIMITED");
        assert_eq!(err.retry_after(), Some(BULK_RETRY_AFTER_SECS));
    }

    #[test]
    fn a_body_of_unknown_or_large_length_is_bulk_work() {
        let mut headers = HeaderMap::new();
        assert!(is_large(&headers), "no Content-Length");
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(2_000));
        assert!(!is_large(&headers));
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(LARGE_BODY_BYTES + 1),
        );
        assert!(is_large(&headers));
    }
}
