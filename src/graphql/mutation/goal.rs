//! `setGoal`, `recognise`, `withdrawRecognition`, `recordIndicator` (CITY_ADMIN).

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{
    RecogniseInput, RecordIndicatorInput, SetGoalInput, WithdrawRecognitionInput,
};
use crate::graphql::types::{Indicator, Programme, Recognition};
use crate::service::{Deps, goal, indicator, recognition};

const CITY_ADMIN: &[Role] = &[Role::CityAdmin];

/// Mutations on the plan's goals.
#[derive(Default)]
pub struct GoalMutation;

#[Object]
impl GoalMutation {
    /// Sets or replaces a goal's target; the person goals are the track targets.
    #[graphql(guard = "RoleGuard::new(CITY_ADMIN)")]
    async fn set_goal(&self, ctx: &Context<'_>, input: SetGoalInput) -> Result<Programme> {
        let deps = ctx.data::<Deps>()?;
        let (id, kind, target) = input.parse()?;
        Ok(goal::set_goal(&deps.db, caller(ctx)?, id, kind, target)
            .await?
            .into())
    }

    /// Counts an organisation or a person against a goal; once per goal and programme.
    #[graphql(guard = "RoleGuard::new(CITY_ADMIN)")]
    async fn recognise(&self, ctx: &Context<'_>, input: RecogniseInput) -> Result<Recognition> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(Recognition(
            recognition::recognise(&deps.db, caller(ctx)?, input).await?,
        ))
    }

    /// Withdraws a recognition: it stops counting; it may be recognised again later.
    #[graphql(guard = "RoleGuard::new(CITY_ADMIN)")]
    async fn withdraw_recognition(
        &self,
        ctx: &Context<'_>,
        input: WithdrawRecognitionInput,
    ) -> Result<Recognition> {
        let deps = ctx.data::<Deps>()?;
        let (id, reason) = input.parse()?;
        Ok(Recognition(
            recognition::withdraw(&deps.db, caller(ctx)?, id, reason).await?,
        ))
    }

    /// Records a month's figure of SALES_CNY; recording a month again replaces it.
    #[graphql(guard = "RoleGuard::new(CITY_ADMIN)")]
    async fn record_indicator(
        &self,
        ctx: &Context<'_>,
        input: RecordIndicatorInput,
    ) -> Result<Indicator> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(Indicator(
            indicator::record(&deps.db, caller(ctx)?, input).await?,
        ))
    }
}
