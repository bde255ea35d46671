//! `programmeProgress`, `stats`.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::guards::{RoleGuard, STAFF, caller};
use crate::graphql::inputs::{StatsDimension, StatsFilter};
use crate::graphql::types::{Date, ProgrammeProgress, StatsRows, parse_id};
use crate::service::Deps;
use crate::service::counting::stats::Dimension;
use crate::service::counting::{progress, stats};

/// The city's numbers.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Progress against a programme's targets; by default the programme running today,
    /// else the latest. Institution staff see their own institution's share. With
    /// `asOf` (a day not after today), every figure as it stood at the end of that day
    /// (China Standard Time): certificates assessed by then and not yet revoked then,
    /// enrolments made by then and not yet finished then, recognitions likewise.
    #[graphql(guard = "RoleGuard::new(STAFF)")]
    async fn programme_progress(
        &self,
        ctx: &Context<'_>,
        programme_id: Option<ID>,
        as_of: Option<Date>,
    ) -> Result<ProgrammeProgress> {
        let deps = ctx.data::<Deps>()?;
        let id = programme_id
            .as_ref()
            .map(|id| parse_id("programmeId", id))
            .transpose()?;
        let day = as_of.map(|d| d.0);
        Ok(ProgrammeProgress(
            progress::progress(&deps.db, caller(ctx)?, id, day).await?,
        ))
    }

    /// Totals grouped by the given dimensions; only the grouped-by keys are set on each
    /// row. Institution staff get their own institution's rows only.
    #[graphql(guard = "RoleGuard::new(STAFF)")]
    async fn stats(
        &self,
        ctx: &Context<'_>,
        filter: Option<StatsFilter>,
        group_by: Vec<StatsDimension>,
    ) -> Result<StatsRows> {
        let deps = ctx.data::<Deps>()?;
        let filter = filter.unwrap_or_default().parse(&deps.districts)?;
        let dims: Vec<Dimension> = group_by.into_iter().map(Into::into).collect();
        let rows = stats::stats(&deps.db, caller(ctx)?, filter, &dims).await?;
        Ok(StatsRows::new(ctx, rows))
    }
}
