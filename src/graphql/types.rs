//! GraphQL object types: thin views over stored rows, never the entities themselves.

mod audit;
mod certificate;
mod connection;
mod course;
mod date;
mod enrolment;
mod enums;
mod goal;
mod institution;
mod programme;
mod progress;
mod stats_rows;
mod subsidy;
mod trainee;
mod user;
mod verification;

pub use audit::{AuditEntry, AuditKind};
pub use certificate::Certificate;
pub use connection::{ListConnection, connection, page_request};
pub use course::Course;
pub use date::Date;
pub use enrolment::Enrolment;
pub use enums::{
    CertificateStatus, CredentialKind, EnrolmentStatus, GoalKind, IdType, InstitutionKind, Role,
    SkillSubtype, Track,
};
pub use goal::{Goal, GoalProgress, Indicator, Recognition};
pub use institution::Institution;
pub use programme::Programme;
pub use progress::{ProgrammeProgress, StatsRow};
pub use stats_rows::StatsRows;
pub use subsidy::{SubsidyClaim, SubsidyDecision};
pub use trainee::Trainee;
pub use user::{ActivationCode, PasswordReset, Session, User};
pub use verification::CertificateVerification;

use async_graphql::{Context, ID, Result};
use uuid::Uuid;

use crate::error::AppError;

/// A stored vocabulary string as its domain enum; a mismatch is data corruption.
pub fn stored<T: std::str::FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unexpected stored value {raw:?}")).into())
}

/// An `ID` argument as a UUID; `BAD_USER_INPUT` on `field` otherwise.
pub fn parse_id(field: &'static str, id: &ID) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        AppError::validation(
            field,
            crate::domain::ValidationError::InvalidFormat("is not a valid ID"),
        )
    })
}

/// Loads one row through a request's data loader.
pub async fn load<L>(
    ctx: &Context<'_>,
    pick: impl FnOnce(&super::loaders::Loaders) -> &async_graphql::dataloader::DataLoader<L>,
    key: Uuid,
) -> Result<Option<L::Value>>
where
    L: async_graphql::dataloader::Loader<Uuid, Error = super::loaders::LoadError>,
{
    let loaders = ctx.data::<super::loaders::Loaders>()?;
    pick(loaders)
        .load_one(key)
        .await
        .map_err(super::errors::load_failed)
}

/// Like [`load`], for a row that must exist (a foreign key).
pub async fn load_required<L>(
    ctx: &Context<'_>,
    pick: impl FnOnce(&super::loaders::Loaders) -> &async_graphql::dataloader::DataLoader<L>,
    key: Uuid,
) -> Result<L::Value>
where
    L: async_graphql::dataloader::Loader<Uuid, Error = super::loaders::LoadError>,
{
    load(ctx, pick, key)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("dangling reference {key}")).into())
}

/// Converts an in-range database integer for an `Int` field.
pub fn int(value: u64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}
