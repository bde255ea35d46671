//! `AppError`: the one error type of services, and its stable client-facing codes.

use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, SqlErr, sqlx};

use crate::domain::ValidationError;

/// Everything a use case can fail with. Resolvers convert it to a GraphQL error carrying
/// `extensions.code` (and `extensions.field` for validation errors).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An input field broke a rule; nothing was changed.
    #[error("{field} {source}")]
    Validation {
        /// The input field, as named in the GraphQL input object.
        field: &'static str,
        /// The rule it broke.
        #[source]
        source: ValidationError,
    },
    /// No valid session.
    #[error("sign in first")]
    Unauthenticated,
    /// Wrong username or password; one message for both so usernames cannot be probed.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The session taken from memory for a request is no longer live, or its account
    /// changed: the request runs again with the caller looked up
    /// ([`crate::service::sessions`]). Answered as `UNAUTHENTICATED` should it escape.
    #[error("sign in first")]
    SessionChanged,
    /// Signed in, but the role or institution does not allow this.
    #[error("not allowed for this account")]
    Forbidden,
    /// The account's password was reset: until it is changed, only `changePassword`,
    /// `logout` and `me` are answered.
    #[error("change the password first (changePassword)")]
    PasswordChangeRequired,
    /// The referenced record does not exist (or is not visible to the caller).
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of record, e.g. "course".
        entity: &'static str,
        /// The id as given by the client.
        id: String,
    },
    /// The request clashes with existing state.
    #[error("{0}")]
    Conflict(&'static str),
    /// An input field's value clashes with existing state (a capacity below the
    /// enrolled count, a known document under another name); nothing was changed.
    #[error("{message}")]
    ConflictOn {
        /// The input field, as named in the GraphQL input object.
        field: &'static str,
        /// What clashes, for the person fixing the input.
        message: &'static str,
    },
    /// The course has no free seat.
    #[error("the course is full")]
    CapacityFull,
    /// Too many attempts; retry after `retry_after` seconds.
    #[error("too many requests, try again in {retry_after} s")]
    RateLimited {
        /// Seconds until a retry may be admitted (the `Retry-After` header).
        retry_after: u32,
    },
    /// No database connection could be had in time: the pool is exhausted or the database
    /// is briefly unreachable. Retryable; nothing was changed.
    #[error("the service is busy or its database briefly unreachable; retry in a moment")]
    Unavailable,
    /// A database failure; details go to the log only.
    #[error("database error: {0}")]
    Database(#[source] DbErr),
    /// Any other internal failure; details go to the log only.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// Wraps a rule violation of `field`.
    pub fn validation(field: &'static str, source: ValidationError) -> Self {
        Self::Validation { field, source }
    }

    /// A `NotFound` for `entity` with the client's id.
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// The stable `extensions.code` of DESIGN.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated | Self::SessionChanged | Self::InvalidCredentials => {
                "UNAUTHENTICATED"
            }
            Self::Forbidden => "FORBIDDEN",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) | Self::ConflictOn { .. } => "CONFLICT",
            Self::CapacityFull => "CAPACITY_FULL",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Database(err) if is_connection_lost(err) => "UNAVAILABLE",
            Self::Database(_) | Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of this error on the edges that answer with one (CSV exports,
    /// pages, and a GraphQL answer that is wholly unavailable).
    pub fn http_status(&self) -> u16 {
        match self.code() {
            "BAD_USER_INPUT" => 400,
            "UNAUTHENTICATED" => 401,
            "FORBIDDEN" | "PASSWORD_CHANGE_REQUIRED" => 403,
            "NOT_FOUND" => 404,
            "CONFLICT" | "CAPACITY_FULL" => 409,
            "RATE_LIMITED" => 429,
            "UNAVAILABLE" => 503,
            _ => 500,
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`), for the
    /// retryable codes `RATE_LIMITED` and `UNAVAILABLE`.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            _ if self.code() == "UNAVAILABLE" => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// True when the database connection broke under the work (a restart, a failover,
    /// a connection ended by the server) before anything was committed: running the
    /// same work again on a fresh connection is safe. A failed commit is never this
    /// (see [`crate::service::commit`]).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Self::Database(err) if is_connection_lost(err))
    }

    /// True when the database refused a statement for breaking a constraint (SQLSTATE
    /// class 23: a unique key, a NOT NULL column, a foreign key, a check): the statement
    /// changed nothing.
    pub fn is_constraint_violation(&self) -> bool {
        matches!(self, Self::Database(err) if sqlstate(err).is_some_and(|code| code.starts_with("23")))
    }

    /// What a client is told: the error itself, or a fixed sentence for internal ones.
    pub fn client_message(&self) -> String {
        match self.code() {
            "INTERNAL_SERVER_ERROR" => "internal error".to_owned(),
            "UNAVAILABLE" => Self::Unavailable.to_string(),
            _ => self.to_string(),
        }
    }

    /// Logs a failure whose details stay on the server, with its whole source chain:
    /// internal errors as errors, unavailability as a warning. Other errors are the
    /// client's and are not logged.
    pub fn log(&self) {
        let chain = anyhow_chain(self);
        match self.code() {
            "INTERNAL_SERVER_ERROR" => tracing::error!(error = %chain, "request failed"),
            "UNAVAILABLE" => tracing::warn!(error = %chain, "database unavailable"),
            _ => {}
        }
    }

    /// The offending input field of a validation error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Validation { field, .. } | Self::ConflictOn { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// `Retry-After` of an `UNAVAILABLE` answer: a pool wait or a reconnect is a matter of
/// a second.
const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 1;

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => Self::Unavailable,
            other => Self::Database(other),
        }
    }
}

/// `error: cause: cause…`, every source of the chain on one line.
fn anyhow_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

/// A connection that broke under a statement: an I/O failure, or the server ending the
/// session (SQLSTATE class 08, connection exception; 57P01–57P03, shutdown and crash).
fn is_connection_lost(err: &DbErr) -> bool {
    if let DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed) = err {
        return true;
    }
    match sqlx_error(err) {
        Some(sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed) => true,
        _ => sqlstate(err).is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
    }
}

/// The driver's error under a database error, if any.
fn sqlx_error(err: &DbErr) -> Option<&sqlx::Error> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(sqlx))
        | DbErr::Exec(RuntimeErr::SqlxError(sqlx))
        | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => Some(sqlx.as_ref()),
        _ => None,
    }
}

/// The SQLSTATE the database answered with, if it answered with one.
fn sqlstate(err: &DbErr) -> Option<std::borrow::Cow<'_, str>> {
    match sqlx_error(err)? {
        sqlx::Error::Database(db) => db.code(),
        _ => None,
    }
}

/// Named unique constraints and what a clash means to a client. SQLite reports the
/// columns instead of the name, so both spellings are listed.
const UNIQUE_CONSTRAINTS: &[(&str, &str, &str)] = &[
    (
        "institution_credit_code_key",
        "institution.credit_code",
        "an institution with this credit code already exists",
    ),
    (
        "user_username_key",
        "user.username",
        "this username is taken",
    ),
    (
        "user_trainee_key",
        "user.trainee_id",
        "this trainee already has an account",
    ),
    (
        "enrolment_trainee_course_key",
        "enrolment.trainee_id, enrolment.course_id",
        "trainee already enrolled in this course",
    ),
    (
        "programme_target_pkey",
        "programme_target.programme_id, programme_target.track",
        "this programme already has a target on this track",
    ),
];

/// Maps a unique violation on a known constraint to `Conflict`; anything else stays a
/// database error.
pub fn map_unique_violation(err: DbErr) -> AppError {
    if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
        for (name, sqlite_columns, meaning) in UNIQUE_CONSTRAINTS {
            if message.contains(name) || message.ends_with(sqlite_columns) {
                return AppError::Conflict(meaning);
            }
        }
    }
    AppError::Database(err)
}

/// Attaches the input field to a rule violation: `Username::parse(raw).on("username")?`.
pub trait OnField<T> {
    /// The result with its error as `AppError::Validation` on `field`.
    fn on(self, field: &'static str) -> Result<T, AppError>;
}

impl<T> OnField<T> for Result<T, ValidationError> {
    fn on(self, field: &'static str) -> Result<T, AppError> {
        self.map_err(|source| AppError::validation(field, source))
    }
}
