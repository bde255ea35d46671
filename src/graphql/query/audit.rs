//! `auditLog`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::types::{
    AuditEntry, AuditKind, ListConnection, connection, parse_cursor, parse_id,
};
use crate::service::Deps;
use crate::service::audit::{self, AuditFilter};
use crate::service::page::PageRequest;

const CITY_ADMIN: &[Role] = &[Role::CityAdmin];

/// Narrows `auditLog`; every field is optional.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Entries of this user.
    pub actor_id: Option<ID>,
    /// Writes or reads only.
    pub kind: Option<AuditKind>,
    /// Entries naming this record (a trainee, an enrolment, …).
    pub record_id: Option<ID>,
    /// Entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
}

/// The audit trail.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every write and every read of trainees' personal data, oldest first (CITY_ADMIN).
    #[graphql(guard = "RoleGuard::new(CITY_ADMIN)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<AuditLogFilter>,
    ) -> Result<ListConnection<AuditEntry>> {
        let deps = ctx.data::<Deps>()?;
        let page = PageRequest::new(first, after.as_deref().map(parse_cursor).transpose()?)?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            actor_id: filter
                .actor_id
                .as_ref()
                .map(|id| parse_id("actorId", id))
                .transpose()?,
            kind: filter.kind.map(AuditKind::as_str),
            record_id: filter
                .record_id
                .as_ref()
                .map(|id| parse_id("recordId", id))
                .transpose()?,
            since: filter.since,
        };
        let rows = audit::list(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, AuditEntry::from))
    }
}
