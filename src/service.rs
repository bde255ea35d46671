//! Use cases, one module per aggregate. Services know nothing of GraphQL or HTTP; they
//! take a connection (pool or transaction), the caller and validated inputs.

pub mod access;
pub mod account;
pub mod activation;
pub mod admission;
pub mod audit;
pub mod batch;
pub mod certificate;
pub mod counting;
pub mod course;
pub mod credential;
pub mod csv_import;
pub mod enrolment;
pub mod export;
pub mod gauges;
pub mod goal;
pub mod health;
pub mod indicator;
pub mod institution;
pub mod lookup;
pub mod memo;
pub mod page;
pub mod password;
pub mod pii;
pub mod programme;
pub mod rate_limit;
pub mod recognition;
pub mod results;
pub mod roster;
pub mod sessions;
pub mod subsidy;
pub mod trainee;
pub mod user_admin;
pub mod verification;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::Passwords;
use crate::domain::{DistrictList, SubsidyPolicy};
use pii::PiiKey;

/// What every request needs: the pool and the configured secrets and lists.
#[derive(Clone)]
pub struct Deps {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Key of the identity-document HMAC.
    pub pii: PiiKey,
    /// The configured district list.
    pub districts: Arc<DistrictList>,
    /// The password hasher.
    pub passwords: Passwords,
    /// Lifetime of a new session.
    pub session_ttl: chrono::Duration,
    /// Lifetime of an activation code.
    pub activation_ttl: chrono::Duration,
    /// Public certificate verifications per client address.
    pub verify_limiter: Arc<rate_limit::RateLimiter<std::net::IpAddr>>,
    /// Failed logins per account and per client address.
    pub login_throttle: Arc<rate_limit::LoginThrottle>,
    /// The clock of the rate limiters' windows.
    pub clock: rate_limit::Clock,
    /// The skill-upgrade subsidy's yearly limit and amounts per level.
    pub subsidy: Arc<SubsidyPolicy>,
    /// `TALENT_PUBLIC_URL`: where people reach the pages (verification links, QR codes).
    pub public_url: Arc<str>,
    /// Courses `enrol` read, for the next enrolment into them (PostgreSQL).
    pub known_courses: Arc<enrolment::known::KnownCourses>,
    /// Sessions looked up, for the next `enrol` of their caller (PostgreSQL).
    pub known_sessions: Arc<sessions::KnownSessions>,
}

/// Commits a use case's transaction. A failed commit leaves its outcome unknown (the
/// server may have committed before the connection broke), so it is an internal error,
/// never a lost connection that [`crate::error::AppError::is_connection_lost`] would let
/// a caller run again.
pub async fn commit(txn: sea_orm::DatabaseTransaction) -> Result<(), crate::error::AppError> {
    txn.commit()
        .await
        .map_err(|err| crate::error::AppError::Internal(anyhow::Error::new(err).context("commit")))
}

/// The current time, truncated to microseconds so that values read back from either
/// engine compare equal to what was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DurationRound::duration_trunc(now, chrono::Duration::microseconds(1)).unwrap_or(now)
}
