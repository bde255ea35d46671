//! The process's wiring, shared by the server and the command line: the connection pool
//! (migrated) and the service dependencies built from the settings.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::auth::Passwords;
use crate::config::Settings;
use crate::domain::{DistrictList, SubsidyPolicy};
use crate::service::Deps;
use crate::service::pii::PiiKey;
use crate::service::rate_limit::{Clock, LoginThrottle, RateLimiter};

/// HMAC key used when `TALENT_PII_KEY` is unset: fine for a demo, never for real data.
const DEVELOPMENT_PII_KEY: &[u8] = b"talent-registry development key: set TALENT_PII_KEY";

/// Opens the pool and applies pending migrations.
pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let db = connect(settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    crate::service::counting::as_of::recount::fill_if_empty(&db)
        .await
        .context("filling progress_day from the base tables")?;
    Ok(db)
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
        Some(spec) => DistrictList::from_spec(spec).context("TALENT_DISTRICTS")?,
        None => DistrictList::shenzhen(),
    };
    let clock = Clock::system();
    // On PostgreSQL the limits count in the database, shared by every replica.
    let verify_limiter = Arc::new(
        RateLimiter::new(
            settings.verify_per_minute,
            Duration::from_secs(60),
            clock.clone(),
        )
        .counted_in(&db, "verify"),
    );
    let login_throttle = Arc::new(
        LoginThrottle::new(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            &clock,
        )
        .counted_in(&db),
    );
    Ok(Deps {
        db,
        pii,
        districts: Arc::new(districts),
        passwords: Passwords::new(hash_permits())?,
        session_ttl: chrono::Duration::hours(i64::from(settings.session_ttl_hours)),
        activation_ttl: chrono::Duration::days(i64::from(settings.activation_ttl_days)),
        verify_limiter,
        login_throttle,
        clock,
        subsidy: Arc::new(SubsidyPolicy {
            claims_per_year: settings.subsidy_claims_per_year,
            amounts: settings.subsidy_amounts.clone(),
        }),
        public_url: settings.public_url.as_str().into(),
        known_courses: Arc::default(),
        known_sessions: Arc::default(),
    })
}

/// Concurrent argon2 computations: half the cores, 1 to 4. More wait their turn, so a
/// login flood leaves CPU to every other request.
fn hash_permits() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |cores| cores.get() / 2)
        .clamp(1, 4)
}
