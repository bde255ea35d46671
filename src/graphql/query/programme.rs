//! `programmes`.

use async_graphql::{Context, Object, Result};

use crate::graphql::guards::{RoleGuard, STAFF};
use crate::graphql::types::Programme;
use crate::service::{Deps, programme};

/// Queries about programmes.
#[derive(Default)]
pub struct ProgrammeQuery;

#[Object]
impl ProgrammeQuery {
    /// Every programme, oldest first.
    #[graphql(guard = "RoleGuard::new(STAFF)")]
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<Programme>> {
        let deps = ctx.data::<Deps>()?;
        Ok(programme::list(&deps.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
