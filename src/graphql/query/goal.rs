//! `recognitions`, `indicators` (city roles).

use async_graphql::{Context, ID, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::RecognitionFilter;
use crate::graphql::types::{
    GoalKind, Indicator, ListConnection, Recognition, connection, page_request, parse_id,
};
use crate::service::{Deps, indicator, recognition};

const CITY: &[Role] = &[Role::CityAdmin, Role::CityAnalyst];

/// Queries about the plan's goals.
#[derive(Default)]
pub struct GoalQuery;

#[Object]
impl GoalQuery {
    /// Recognitions, live and withdrawn, oldest first.
    #[graphql(guard = "RoleGuard::new(CITY)")]
    async fn recognitions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<RecognitionFilter>,
    ) -> Result<ListConnection<Recognition>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse(&deps.districts)?;
        let rows = recognition::list(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, Recognition))
    }

    /// A programme's monthly figures, by goal and month.
    #[graphql(guard = "RoleGuard::new(CITY)")]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        programme_id: ID,
        kind: Option<GoalKind>,
    ) -> Result<Vec<Indicator>> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("programmeId", &programme_id)?;
        Ok(
            indicator::list(&deps.db, caller(ctx)?, id, kind.map(Into::into))
                .await?
                .into_iter()
                .map(Indicator)
                .collect(),
        )
    }
}
