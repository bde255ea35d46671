//! `Goal`, `GoalProgress`, `Recognition`, `Indicator`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::{Date, GoalKind, Institution, Trainee, load, stored};
use crate::auth::CurrentUser;
use crate::domain::{self, Role, Yuan};
use crate::entity::{indicator, recognition};
use crate::service::counting::goal_progress;
use crate::service::goal;

/// A goal of a programme and its target.
#[derive(SimpleObject)]
pub struct Goal {
    /// The goal.
    pub kind: GoalKind,
    /// The target, in `unit`.
    pub target: f64,
    /// `persons`, `organisations` or `CNY`.
    pub unit: String,
}

impl From<&goal::Goal> for Goal {
    fn from(g: &goal::Goal) -> Self {
        Self {
            kind: g.kind.into(),
            target: g.target,
            unit: g.kind.unit().to_owned(),
        }
    }
}

/// Progress on one goal.
#[derive(SimpleObject)]
pub struct GoalProgress {
    /// The goal.
    pub kind: GoalKind,
    /// Its target, in the goal's unit.
    pub target: f64,
    /// Achieved so far: certified persons, live recognitions, or the sum of the
    /// recorded months (CNY).
    pub achieved: f64,
    /// `achieved / target`.
    pub ratio: f64,
    /// When the target would be met at the last 90 days' rate; null when that rate is 0
    /// or the target is met.
    pub projected_reach_date: Option<Date>,
    /// The day the target was met.
    pub reached_on: Option<Date>,
    /// What is left divided by the calendar months left (this one included); null once
    /// reached or after the programme's end.
    pub required_per_month: Option<f64>,
    /// Reached, or projected to be reached by the programme's end.
    pub on_track: bool,
}

impl From<goal_progress::GoalProgress> for GoalProgress {
    fn from(g: goal_progress::GoalProgress) -> Self {
        Self {
            kind: g.kind.into(),
            target: g.target,
            achieved: g.achieved,
            ratio: g.ratio,
            projected_reach_date: g.projected_reach_date.map(Date),
            reached_on: g.reached_on.map(Date),
            required_per_month: g.required_per_month,
            on_track: g.on_track,
        }
    }
}

/// An organisation or a person counted against a goal.
pub struct Recognition(pub recognition::Model);

#[Object]
impl Recognition {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The goal it counts for.
    async fn kind(&self) -> Result<GoalKind> {
        Ok(stored::<domain::GoalKind>(&self.0.kind)?.into())
    }
    /// The organisation, for the organisation goals.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Option<Institution>> {
        match self.0.institution_id {
            Some(id) => Ok(load(ctx, |l| &l.institution, id).await?.map(Into::into)),
            None => Ok(None),
        }
    }
    /// The person, for INFLUENTIAL_HOSTS (masked as everywhere for the city); null for
    /// CITY_ANALYST, who reads no trainee.
    async fn trainee(&self, ctx: &Context<'_>) -> Result<Option<Trainee>> {
        let analyst = ctx
            .data_opt::<CurrentUser>()
            .is_none_or(|c| c.role == Role::CityAnalyst);
        match self.0.trainee_id {
            Some(id) if !analyst => Ok(load(ctx, |l| &l.trainee, id).await?.map(Into::into)),
            _ => Ok(None),
        }
    }
    /// When it was recognised.
    async fn recognised_on(&self) -> Date {
        Date(self.0.recognised_on)
    }
    /// What it rests on.
    async fn evidence(&self) -> &str {
        &self.0.evidence
    }
    /// When it was withdrawn; a withdrawn recognition no longer counts.
    async fn withdrawn_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.withdrawn_at
    }
}

/// A month's figure of a measured goal.
pub struct Indicator(pub indicator::Model);

#[Object]
impl Indicator {
    /// The goal (SALES_CNY).
    async fn kind(&self) -> Result<GoalKind> {
        Ok(stored::<domain::GoalKind>(&self.0.kind)?.into())
    }
    /// `YYYY-MM`.
    async fn month(&self) -> &str {
        &self.0.month
    }
    /// The month's figure, in the goal's unit (CNY).
    async fn value(&self) -> f64 {
        Yuan::from_fen(self.0.value_fen).yuan()
    }
    /// Where the figure comes from.
    async fn source(&self) -> &str {
        &self.0.source
    }
}
