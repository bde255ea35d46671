//! The harness: `spawn_app()` on port 0 over a fresh database, dropped with it, and the
//! app's clock.

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use talent_registry::config::Settings;
use talent_registry::http::App;
use talent_registry::service::rate_limit::Clock;
use uuid::Uuid;

/// Password of the bootstrap admin in every test app.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
/// HMAC key of identity numbers in every test app (and server process).
pub const PII_KEY: &str = "test-pii-key-0123456789";
/// Password given to every user a fixture creates.
pub const USER_PASSWORD: &str = "user-password-for-tests";

static TELEMETRY: Once = Once::new();

/// A running app over its own database, dropped with the last clone.
#[derive(Clone)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The app's pool, for recounts and direct checks.
    pub db: DatabaseConnection,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The database's URL, for a second server process on the same data.
    pub database_url: String,
    clock: Clock,
    _database: Arc<TestDatabase>,
}

/// Starts the app on a fresh database: PostgreSQL when `TEST_DATABASE_URL` is set, else a
/// temporary SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with the settings changed by `configure` first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    TELEMETRY.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            talent_registry::telemetry::init(
                std::io::stdout,
                talent_registry::telemetry::LogFormat::Text,
            );
        }
    });
    let database = TestDatabase::create().await;
    let database_url = database.url.clone();
    let mut settings = Settings {
        database_url: database.url.clone().into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_password: Some(ADMIN_PASSWORD.into()),
        pii_key: Some(PII_KEY.into()),
        introspection: true,
        districts: None,
        session_ttl_hours: 1,
        activation_ttl_days: 30,
        db_max_connections: 8,
        db_acquire_timeout_ms: 10_000,
        verify_per_minute: 30,
        login_failures_per_account: 5,
        login_failures_per_address: 20,
        request_timeout_ms: 30_000,
        max_aliases: 30,
        shutdown_grace_ms: 30_000,
        header_timeout_ms: 10_000,
        max_connections: 1_024,
        bulk_concurrency: 1,
        subsidy_claims_per_year: 1,
        subsidy_amounts: talent_registry::domain::SubsidyAmounts::default(),
        public_url: "http://127.0.0.1:8080".to_owned(),
        log_format: talent_registry::telemetry::LogFormat::Text,
        trusted_proxies: talent_registry::http::TrustedProxies::default(),
        metrics_token: None,
    };
    configure(&mut settings);
    let app = App::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address().unwrap());
    let db = app.deps().db.clone();
    let clock = app.deps().clock.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        database_url,
        clock,
        _database: Arc::new(database),
    }
}

impl TestApp {
    /// Moves the clock of the app's rate limits and expiries (activation codes) forward:
    /// a test jumps over a window instead of sleeping through it.
    pub fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// `TEST_DATABASE_URL`, for a test that needs PostgreSQL (marked `#[ignore]`, run by CI
/// with `--include-ignored`): fails, never passes, without it.
pub fn require_postgres() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "this test needs PostgreSQL: set TEST_DATABASE_URL (CI runs it with --include-ignored)",
    )
}

/// Ends every connection to the app's PostgreSQL database but the caller's own, as a
/// server restart or a failover does; returns how many were ended.
pub async fn end_other_connections(app: &TestApp) -> usize {
    let admin = Database::connect(&app.database_url).await.unwrap();
    let ended = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .unwrap()
        .len();
    admin.close().await.ok();
    ended
}

/// A fresh, empty database that exists for one test (PostgreSQL when
/// `TEST_DATABASE_URL` is set, else a SQLite file not yet made), dropped with the value.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite(PathBuf),
}

impl TestDatabase {
    /// Creates the database (PostgreSQL) or picks the file's path (SQLite).
    pub async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) => {
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL connects");
                clear_stale_databases(&admin).await;
                let name = format!(
                    "test_{}_{}",
                    chrono::Utc::now().timestamp(),
                    Uuid::from_u128(rand::random()).simple()
                );
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("test database is created");
                admin.close().await.ok();
                let base = admin_url.rsplit_once('/').expect("URL has a database").0;
                Self {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            Err(_) => {
                let dir = std::env::temp_dir().join("talent-registry-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("{}.db", Uuid::from_u128(rand::random()).simple()));
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::Sqlite(path),
                }
            }
        }
    }
}

/// Drops `test_*` databases older than an hour: leftovers of runs that were killed.
async fn clear_stale_databases(admin: &DatabaseConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let cutoff = chrono::Utc::now().timestamp() - 3600;
        let rows = admin
            .query_all_raw(Statement::from_string(
                admin.get_database_backend(),
                "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'",
            ))
            .await
            .unwrap_or_default();
        for row in rows {
            let Ok(name) = row.try_get::<String>("", "datname") else {
                continue;
            };
            let stamp = name.split('_').nth(1).and_then(|s| s.parse::<i64>().ok());
            if stamp.is_some_and(|s| s < cutoff) {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        }
    })
    .await;
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
