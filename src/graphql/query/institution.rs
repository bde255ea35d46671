//! `institutions`.

use async_graphql::{Context, Object, Result};

use crate::graphql::guards::{RoleGuard, STAFF, caller};
use crate::graphql::types::{Institution, ListConnection, connection, page_request};
use crate::service::{Deps, institution};

/// Queries about institutions.
#[derive(Default)]
pub struct InstitutionQuery;

#[Object]
impl InstitutionQuery {
    /// Institutions: all for the city, the own one for institution staff.
    #[graphql(guard = "RoleGuard::new(STAFF)")]
    async fn institutions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
    ) -> Result<ListConnection<Institution>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let rows = institution::list(&deps.db, caller(ctx)?, page).await?;
        Ok(connection(rows, |m| m.id, Institution::from))
    }
}
