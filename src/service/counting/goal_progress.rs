//! `ProgrammeProgress.goals`, `certifiedPersons`, `certifiedOnBothTracks`: every goal of
//! a programme against its target. The person goals are the track figures of
//! [`super::progress`]; the others come from the maintained [`super::goals`] counters;
//! all derive ratio, reach and projection in [`super::reach`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::day_changes::Figure;
use super::progress::Progress;
use super::reach::{self, Reach};
use super::{goals, persons};
use crate::auth::CurrentUser;
use crate::domain::GoalKind;
use crate::entity::{programme, programme_goal};
use crate::error::AppError;
use crate::service::access;

/// Progress on one goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalProgress {
    /// The goal.
    pub kind: GoalKind,
    /// Its target, in the goal's unit.
    pub target: f64,
    /// Achieved so far, in the same unit.
    pub achieved: f64,
    /// `achieved / target`.
    pub ratio: f64,
    /// When the target will be met at the last 90 days' rate.
    pub projected_reach_date: Option<NaiveDate>,
    /// When the target was met.
    pub reached_on: Option<NaiveDate>,
    /// What is left per month left; null once reached or ended.
    pub required_per_month: Option<f64>,
    /// Reached, or projected by the programme's end.
    pub on_track: bool,
}

impl GoalProgress {
    fn new(
        kind: GoalKind,
        target: f64,
        achieved: f64,
        reach: &Reach,
        programme: &programme::Model,
        today: NaiveDate,
    ) -> Self {
        Self {
            kind,
            target,
            achieved,
            ratio: reach.ratio,
            projected_reach_date: reach.projected_reach_date,
            reached_on: reach.reached_on,
            required_per_month: reach::required_per_month(
                target,
                achieved,
                programme.starts_on,
                programme.ends_on,
                today,
            )
            .filter(|_| reach.reached_on.is_none()),
            on_track: reach::on_track(reach, programme.ends_on),
        }
    }
}

/// Every goal of the programme of `progress`, in goal order. Institution roles get the
/// two person goals, on their own share; the organisation goals and sales are the
/// city's.
pub async fn goals(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    progress: &Progress,
) -> Result<Vec<GoalProgress>, AppError> {
    let scope = access::read_scope(actor)?;
    let today = progress.as_of;
    let programme = &progress.programme;
    let mut out: Vec<GoalProgress> = progress
        .targets
        .iter()
        .map(|t| {
            let reach = Reach {
                ratio: t.ratio,
                reached_on: t.reached_on,
                projected_reach_date: t.projected_reach_date,
            };
            GoalProgress::new(
                GoalKind::of_track(t.track),
                f64::from(t.target),
                t.certified as f64,
                &reach,
                programme,
                today,
            )
        })
        .collect();
    if scope.is_none() {
        let targets = match &progress.goals {
            Some(goals) => goals.clone(),
            None => targets(db, programme.id).await?,
        };
        let achieved = match &progress.history {
            None => goals::achieved(db, programme.id).await?,
            Some(_) => BTreeMap::new(),
        };
        for row in targets {
            let kind = kind(&row)?;
            let units = units(kind, row.target);
            let (total, reach) = match &progress.history {
                Some(history) => {
                    let standing = history
                        .get(&Figure::Goal(kind))
                        .copied()
                        .unwrap_or_default();
                    reach::as_of(units, &standing, programme.starts_on, today)
                }
                None => {
                    let figures = achieved.get(&kind).cloned().unwrap_or_default();
                    let reach = reach::reach_of(
                        units,
                        figures.total,
                        &figures.days,
                        programme.starts_on,
                        today,
                    );
                    (figures.total, reach)
                }
            };
            out.push(GoalProgress::new(
                kind,
                row.target,
                total as f64 / scale(kind),
                &reach,
                programme,
                today,
            ));
        }
    }
    out.sort_by_key(|g| g.kind);
    Ok(out)
}

/// Distinct persons certified on any track within the period, and on both: the city's
/// figures, or an institution's share (persons holding a certificate it issued); with
/// `asOf`, as they stood at the end of that day.
pub async fn certified_persons(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    progress: &Progress,
) -> Result<(u64, u64), AppError> {
    let scope = access::read_scope(actor)?;
    match &progress.history {
        Some(history) => {
            let total = |figure| -> u64 {
                history
                    .get(&figure)
                    .map_or(0, |s| u64::try_from(s.total).unwrap_or(0))
            };
            Ok((total(Figure::Persons), total(Figure::BothTracks)))
        }
        None => persons::certified_persons(db, &progress.programme, scope).await,
    }
}

/// The goals set for `programme`.
pub async fn targets(
    db: &impl ConnectionTrait,
    programme: uuid::Uuid,
) -> Result<Vec<programme_goal::Model>, AppError> {
    Ok(programme_goal::Entity::find()
        .filter(programme_goal::Column::ProgrammeId.eq(programme))
        .all(db)
        .await?)
}

/// A stored goal's kind.
pub fn kind(goal: &programme_goal::Model) -> Result<GoalKind, AppError> {
    goal.kind
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown stored goal {}", goal.kind)))
}

/// Units per unit of a goal's target: sales are counted in fen, so that sums stay exact.
fn scale(kind: GoalKind) -> f64 {
    if kind == GoalKind::SalesCny {
        100.0
    } else {
        1.0
    }
}

/// A target in the units its figure is counted in.
pub fn units(kind: GoalKind, target: f64) -> u64 {
    (target * scale(kind)).round() as u64
}
