//! `AppError`: the one error type of services, and its stable client-facing codes.

use sea_orm::{DbErr, SqlErr};

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
    /// Signed in, but the role or institution does not allow this.
    #[error("not allowed for this account")]
    Forbidden,
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
    /// The course has no free seat.
    #[error("the course is full")]
    CapacityFull,
    /// Too many attempts; retry later.
    #[error("too many requests, try again later")]
    RateLimited,
    /// A database failure; details go to the log only.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
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
            Self::Unauthenticated | Self::InvalidCredentials => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::CapacityFull => "CAPACITY_FULL",
            Self::RateLimited => "RATE_LIMITED",
            Self::Database(_) | Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The offending input field of a validation error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// True for failures whose details must stay in the log.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Internal(_))
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

/// True when `err` is a unique violation of the named constraint (PostgreSQL name or
/// SQLite column list from [`UNIQUE_CONSTRAINTS`]).
pub fn is_unique_violation(err: &DbErr, constraint: &str) -> bool {
    let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() else {
        return false;
    };
    UNIQUE_CONSTRAINTS
        .iter()
        .filter(|(name, _, _)| *name == constraint)
        .any(|(name, cols, _)| message.contains(name) || message.ends_with(cols))
        || message.contains(constraint)
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
