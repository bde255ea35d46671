//! Progress against a programme's targets (`programmeProgress`).
//!
//! `certified`: distinct persons with an unrevoked certificate on the track issued within
//! the programme period. `inTraining`: distinct persons with an ENROLLED enrolment on the
//! track who are not certified on it. A person counts once per track. The city's view
//! reads the maintained totals and day series; an institution's share, and any figure
//! as of a past day, its maintained day changes ([`as_of`]), as they stand at the end of
//! today for the live view. Both derive `ratio`, `reachedOn` and the projection in
//! [`reach`].

mod days;
mod programme;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::as_of::{self, Source, Standings};
use super::cell::{self, read_int};
use super::day_changes::Figure;
use super::{goal_progress, reach, sql};
use crate::auth::CurrentUser;
use crate::domain::{Track, ValidationError, programme_date};
use crate::entity::{programme as programme_entity, programme_goal};
use crate::error::AppError;
use crate::service::{access, now};
use days::Decided;
use programme::{CurrentProgramme, with_targets};

/// Progress on one track.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackProgress {
    /// The track.
    pub track: Track,
    /// Persons to certify.
    pub target: i32,
    /// Distinct persons certified within the period.
    pub certified: u64,
    /// Distinct persons in training, not yet certified.
    pub in_training: u64,
    /// `certified / target` (1 when the target is 0).
    pub ratio: f64,
    /// When the target will be met at the last 90 days' rate.
    pub projected_reach_date: Option<NaiveDate>,
    /// When the target was met.
    pub reached_on: Option<NaiveDate>,
}

/// Progress of a programme.
#[derive(Debug)]
pub struct Progress {
    /// The programme.
    pub programme: programme_entity::Model,
    /// One entry per track with a target.
    pub targets: Vec<TrackProgress>,
    /// The day the figures stand at the end of: `asOf`, else today.
    pub as_of: NaiveDate,
    /// With `asOf`, or for a closed programme: where every figure stood at the end of
    /// that day (the city's, or the institution's share), from which each is answered.
    pub history: Option<Standings>,
    /// The programme's goals, when they were read to place the history against them
    /// (the city's view with a history).
    pub goals: Option<Vec<programme_goal::Model>>,
    /// A closed programme's final figures, frozen when it was closed.
    pub is_final: bool,
}

/// Progress of `programme_id`, or of the programme running today, else the latest, as
/// it stood at the end of `as_of` (a day not after today) or now; a closed programme's
/// final figures without `as_of`. Institution roles see their own institution's share.
///
/// The city's view takes three statements whatever the data size: the programmes with
/// their targets, the counters of every track, and the daily increments that decide each
/// track's reach (a fourth and fifth when a target was met late in a long series).
/// With `as_of`, and for an institution's share, two: the programmes, and the day
/// changes of every figure up to that day (today for the live share); with `as_of`, both
/// at once when the programme is named or was the current one last time.
pub async fn progress(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    programme_id: Option<Uuid>,
    as_of: Option<NaiveDate>,
) -> Result<Progress, AppError> {
    let scope = access::read_scope(actor)?;
    let today = programme_date(now());
    if as_of.is_some_and(|day| day > today) {
        return Err(AppError::Validation {
            field: "asOf",
            source: ValidationError::InvalidFormat("must not be after today"),
        });
    }
    let scope_id = scope.unwrap_or_else(Uuid::nil);
    // With `asOf` the figures need the programme's id only: the one asked for, else the
    // one found current last time. They are read at once with the programmes, and again
    // after them only when the guess was not the programme found.
    let early = as_of.and_then(|day| Some((programme_id.or_else(CurrentProgramme::guess)?, day)));
    let (found, targets, early) = match early {
        Some((id, day)) => {
            let ((found, targets), read) = tokio::try_join!(
                with_targets(db, programme_id, today),
                history(db, scope, Source::Live, id, scope_id, day)
            )?;
            let early = (found.id == id).then_some(read);
            (found, targets, early)
        }
        None => {
            let (found, targets) = with_targets(db, programme_id, today).await?;
            (found, targets, None)
        }
    };
    if programme_id.is_none() {
        CurrentProgramme::found(found.id);
    }
    let mut tracks = Vec::with_capacity(targets.len());
    for target in &targets {
        let track: Track = target
            .track
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored track")))?;
        tracks.push((track, target.target));
    }
    let source = match (as_of, found.closed_at, scope) {
        (Some(day), _, _) => Some((Source::Live, day)),
        (None, Some(_), _) => Some((Source::Final, found.ends_on)),
        // An institution's share now: its day changes up to today, in a few rows
        // whatever the data size (nothing is dated after today).
        (None, None, Some(_)) => Some((Source::Live, today)),
        (None, None, None) => None,
    };
    if let Some((source, day)) = source {
        let (goals, figures) = match early {
            Some(read) => read,
            None => history(db, scope, source, found.id, scope_id, day).await?,
        };
        let mut against: Vec<(Figure, u64)> = tracks
            .iter()
            .map(|&(track, target)| (Figure::Certified(track), u64::try_from(target).unwrap_or(0)))
            .collect();
        for goal in goals.iter().flatten() {
            let kind = goal_progress::kind(goal)?;
            against.push((Figure::Goal(kind), goal_progress::units(kind, goal.target)));
        }
        let history = figures.standings(db, &against).await?;
        return Ok(Progress {
            targets: tracks
                .iter()
                .map(|&(track, target)| from_history(&found, track, target, &history, day))
                .collect(),
            programme: found,
            as_of: day,
            history: Some(history),
            goals,
            is_final: source == Source::Final,
        });
    }
    let targets = maintained(db, &found, &tracks, today).await?;
    Ok(Progress {
        programme: found,
        targets,
        as_of: today,
        history: None,
        goals: None,
        is_final: false,
    })
}

/// The programme's goals (the city's, to place its figures against) and where every
/// figure of `scope_id` stood at the end of `day`, read at once.
async fn history(
    db: &impl ConnectionTrait,
    scope: Option<Uuid>,
    source: Source,
    programme: Uuid,
    scope_id: Uuid,
    day: NaiveDate,
) -> Result<(Option<Vec<programme_goal::Model>>, as_of::Figures), AppError> {
    let goals = async {
        match scope {
            None => goal_progress::targets(db, programme).await.map(Some),
            Some(_) => Ok(None),
        }
    };
    tokio::try_join!(goals, as_of::figures(db, source, programme, scope_id, day))
}

/// A track's figures as they stood at the end of `day`, from where they stood then.
fn from_history(
    programme: &programme_entity::Model,
    track: Track,
    target: i32,
    history: &Standings,
    day: NaiveDate,
) -> TrackProgress {
    let standing = |figure| history.get(&figure).copied().unwrap_or_default();
    let (certified, reach) = reach::as_of(
        u64::try_from(target).unwrap_or(0),
        &standing(Figure::Certified(track)),
        programme.starts_on,
        day,
    );
    TrackProgress {
        track,
        target,
        certified,
        in_training: u64::try_from(standing(Figure::InTraining(track)).total).unwrap_or(0),
        ratio: reach.ratio,
        projected_reach_date: reach.projected_reach_date,
        reached_on: reach.reached_on,
    }
}

/// A count column as `u64` (negative sums, which cannot occur, read as 0).
fn count(row: &sea_orm::QueryResult, col: &str) -> Result<u64, AppError> {
    Ok(u64::try_from(read_int(row, col)?).unwrap_or(0))
}

/// City-wide progress from the maintained totals: the programme's counters, then the
/// days of its series that decide each track's reach ([`days::decided`]).
async fn maintained(
    db: &impl ConnectionTrait,
    programme: &programme_entity::Model,
    tracks: &[(Track, i32)],
    today: NaiveDate,
) -> Result<Vec<TrackProgress>, AppError> {
    let mut totals: HashMap<Track, (u64, u64)> = HashMap::new();
    for row in sql::query(
        db,
        "SELECT track, COALESCE(SUM(certified), 0) AS certified, \
         COALESCE(SUM(in_training), 0) AS in_training \
         FROM programme_counter WHERE programme_id = ? GROUP BY track",
        vec![programme.id.into()],
    )
    .await?
    {
        totals.insert(
            cell::track(&row.try_get::<String>("", "track")?)?,
            (count(&row, "certified")?, count(&row, "in_training")?),
        );
    }
    let wanted: Vec<(Track, u64, bool)> = tracks
        .iter()
        .map(|&(track, target)| {
            let target = u64::try_from(target).unwrap_or(0);
            let certified = totals.get(&track).map_or(0, |(c, _)| *c);
            (track, target, target > 0 && certified >= target)
        })
        .collect();
    let decided = days::decided(db, programme.id, &wanted, today).await?;
    Ok(tracks
        .iter()
        .zip(&wanted)
        .zip(decided)
        .map(|((&(track, target), &(_, target_units, _)), decided)| {
            let (certified, in_training) = totals.get(&track).copied().unwrap_or_default();
            let reach = match decided {
                Decided::MetOn(day) => reach::met(target_units, certified, day),
                Decided::Days(series) => {
                    reach::reach(target, certified, &series, programme.starts_on, today)
                }
            };
            TrackProgress {
                track,
                target,
                certified,
                in_training,
                ratio: reach.ratio,
                projected_reach_date: reach.projected_reach_date,
                reached_on: reach.reached_on,
            }
        })
        .collect())
}
