//! `ProgrammeProgress`, `TargetProgress`, `StatsRow`.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::{Date, GoalProgress, Institution, Programme, Track, int, load};
use crate::graphql::guards::caller;
use crate::service::Deps;
use crate::service::counting::goal_progress;
use crate::service::counting::progress::{Progress, TrackProgress};
use crate::service::counting::stats;

/// Progress of a programme against its targets.
pub struct ProgrammeProgress(pub Progress);

#[Object]
impl ProgrammeProgress {
    /// The programme.
    async fn programme(&self) -> Programme {
        Programme(self.0.programme.clone())
    }
    /// One entry per track with a target.
    async fn targets(&self) -> Vec<TargetProgress> {
        self.0
            .targets
            .iter()
            .cloned()
            .map(TargetProgress::from)
            .collect()
    }
    /// Every goal with a target, in goal order. Institution roles get the two person
    /// goals on their own share; the organisation goals and sales are the city's.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<GoalProgress>> {
        let deps = ctx.data::<Deps>()?;
        Ok(goal_progress::goals(&deps.db, caller(ctx)?, &self.0)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Distinct persons certified within the period on any track (a person certified on
    /// both counts once). Institution roles: persons holding a certificate their
    /// institution issued.
    async fn certified_persons(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(int(self.persons(ctx).await?.0))
    }
    /// Distinct persons certified within the period on both tracks.
    async fn certified_on_both_tracks(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(int(self.persons(ctx).await?.1))
    }
    /// The day whose end the figures stand at (China Standard Time): the `asOf`
    /// argument, else today.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// True for a closed programme's final figures (without `asOf`): frozen when it was
    /// closed, as of its last day, whatever is revoked or entered later.
    async fn r#final(&self) -> bool {
        self.0.is_final
    }
}

impl ProgrammeProgress {
    async fn persons(&self, ctx: &Context<'_>) -> Result<(u64, u64)> {
        let deps = ctx.data::<Deps>()?;
        Ok(goal_progress::certified_persons(&deps.db, caller(ctx)?, &self.0).await?)
    }
}

/// Progress on one track.
#[derive(SimpleObject)]
pub struct TargetProgress {
    /// The track.
    pub track: Track,
    /// Distinct persons to certify.
    pub target: i32,
    /// Distinct persons with an unrevoked certificate on the track issued in the period.
    pub certified: i32,
    /// Distinct persons enrolled on the track and not yet certified on it.
    pub in_training: i32,
    /// `certified / target` (1 when the target is 0).
    pub ratio: f64,
    /// When the target would be met at the last 90 days' rate; null when that rate is 0
    /// or the target is met.
    pub projected_reach_date: Option<Date>,
    /// The day the target was met.
    pub reached_on: Option<Date>,
}

impl From<TrackProgress> for TargetProgress {
    fn from(p: TrackProgress) -> Self {
        Self {
            track: p.track.into(),
            target: p.target,
            certified: int(p.certified),
            in_training: int(p.in_training),
            ratio: p.ratio,
            projected_reach_date: p.projected_reach_date.map(Date),
            reached_on: p.reached_on.map(Date),
        }
    }
}

/// A count for an `Int` field (never negative, capped at `i32::MAX`).
pub(super) fn count(v: i64) -> i32 {
    i32::try_from(v.max(0)).unwrap_or(i32::MAX)
}

/// One group of a breakdown; only the grouped-by keys are set.
pub struct StatsRow(pub stats::StatsRow);

impl StatsRow {
    /// The row's track as stored (an error when it cannot be read).
    pub(super) fn stored_track(&self) -> Result<Option<Track>> {
        self.0
            .key
            .track
            .as_deref()
            .map(|t| super::stored::<crate::domain::Track>(t).map(Into::into))
            .transpose()
    }
}

#[Object]
impl StatsRow {
    /// Track, when grouped by TRACK.
    async fn track(&self) -> Result<Option<Track>> {
        self.stored_track()
    }
    /// District of the institution, when grouped by DISTRICT.
    async fn district(&self) -> Option<&str> {
        self.0.key.district.as_deref()
    }
    /// Institution, when grouped by INSTITUTION.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Option<Institution>> {
        match self.0.key.institution_id {
            Some(id) => Ok(load(ctx, |l| &l.institution, id).await?.map(Into::into)),
            None => Ok(None),
        }
    }
    /// `YYYY-MM`, when grouped by MONTH.
    async fn month(&self) -> Option<&str> {
        self.0.key.month.as_deref()
    }
    /// Skill level, when grouped by LEVEL (null also for courses without a level).
    async fn level(&self) -> Option<i32> {
        self.0.key.level
    }
    /// Distinct persons enrolled.
    async fn trainees(&self) -> i32 {
        count(self.0.trainees)
    }
    /// Enrolments.
    async fn enrolments(&self) -> i32 {
        count(self.0.enrolments)
    }
    /// Enrolments completed as passed.
    async fn completions(&self) -> i32 {
        count(self.0.completions)
    }
    /// Distinct persons holding an unrevoked certificate.
    async fn certified_persons(&self) -> i32 {
        count(self.0.certified_persons)
    }
}
