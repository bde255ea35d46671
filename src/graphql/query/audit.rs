//! `auditLog`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::AuditLogFilter;
use crate::graphql::types::{AuditEntry, ListConnection, connection, page_request};
use crate::service::Deps;
use crate::service::audit;

const CITY_ADMIN: &[Role] = &[Role::CityAdmin];

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
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let rows = audit::list(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, AuditEntry::from))
    }
}
