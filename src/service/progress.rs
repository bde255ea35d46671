//! Progress against a programme's targets, counted exactly from the base tables.
//!
//! `certified`: distinct persons with an unrevoked certificate on the track issued within
//! the programme period. `inTraining`: distinct persons with an ENROLLED enrolment on the
//! track who are not certified on it. A person counts once per track.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};
use uuid::Uuid;

use super::{access, now, sql};
use crate::auth::CurrentUser;
use crate::domain::{Track, programme_date};
use crate::entity::{programme as programme_entity, programme_target};
use crate::error::AppError;

/// Window of the reach-date projection.
const PROJECTION_DAYS: u64 = 90;

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
}

/// Progress of `programme_id`, or of the programme running today, else the latest.
/// Institution roles see their own institution's share.
///
/// The city's view takes three statements whatever the data size: the programmes with
/// their targets, the counters of every track, the daily increments of every track.
pub async fn progress(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    programme_id: Option<Uuid>,
) -> Result<Progress, AppError> {
    let scope = access::read_scope(actor)?;
    let today = programme_date(now());
    let (found, targets) = with_targets(db, programme_id, today).await?;
    let mut tracks = Vec::with_capacity(targets.len());
    for target in &targets {
        let track: Track = target
            .track
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored track")))?;
        tracks.push((track, target.target));
    }
    let targets = match scope {
        None => maintained(db, &found, &tracks, today).await?,
        Some(_) => {
            let mut out = Vec::with_capacity(tracks.len());
            for (track, target) in tracks {
                out.push(track_progress(db, &found, track, target, scope, today).await?);
            }
            out
        }
    };
    Ok(Progress {
        programme: found,
        targets,
    })
}

/// The programme of `id` (or the current one) and its targets in track order, in one
/// statement.
async fn with_targets(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    today: NaiveDate,
) -> Result<(programme_entity::Model, Vec<programme_target::Model>), AppError> {
    let mut query = programme_entity::Entity::find();
    if let Some(id) = id {
        query = query.filter(programme_entity::Column::Id.eq(id));
    }
    let all = query
        .find_with_related(programme_target::Entity)
        .all(db)
        .await?;
    let found = match id {
        Some(id) => all
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("programme", id)),
        None => current(all, today),
    };
    let (programme, mut targets) = found?;
    targets.sort_by(|a, b| a.track.cmp(&b.track));
    Ok((programme, targets))
}

type WithTargets = (programme_entity::Model, Vec<programme_target::Model>);

/// The programme running `today` (the latest started if several), else the one that
/// ended last.
fn current(all: Vec<WithTargets>, today: NaiveDate) -> Result<WithTargets, AppError> {
    let running = all
        .iter()
        .filter(|(p, _)| p.starts_on <= today && today <= p.ends_on)
        .max_by_key(|(p, _)| (p.starts_on, p.id))
        .cloned();
    running
        .or_else(|| {
            all.into_iter()
                .max_by_key(|(p, _)| (p.ends_on, p.starts_on, p.id))
        })
        .ok_or_else(|| AppError::not_found("programme", "current"))
}

/// Persons' first qualifying certificate date on a track: the base of every count.
const FIRST_CERTIFIED: &str = "SELECT trainee_id, MIN(issued_on) AS first_on FROM certificate \
     WHERE track = ? AND revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? \
     AND (? IS NULL OR institution_id = ?) GROUP BY trainee_id";

async fn track_progress(
    db: &impl ConnectionTrait,
    programme: &programme_entity::Model,
    track: Track,
    target: i32,
    scope: Option<Uuid>,
    today: NaiveDate,
) -> Result<TrackProgress, AppError> {
    let base = || -> Vec<Value> {
        vec![
            track.as_str().into(),
            programme.starts_on.into(),
            programme.ends_on.into(),
            scope.into(),
            scope.into(),
        ]
    };
    let certified = sql::count(
        db,
        &format!("SELECT COUNT(*) FROM ({FIRST_CERTIFIED}) firsts"),
        base(),
    )
    .await?;
    let mut values = vec![track.as_str().into(), scope.into(), scope.into()];
    values.extend(base());
    let in_training = sql::count(
        db,
        &format!(
            "SELECT COUNT(DISTINCT e.trainee_id) FROM enrolment e \
             JOIN course c ON c.id = e.course_id \
             WHERE c.track = ? AND e.status = 'ENROLLED' \
             AND (? IS NULL OR c.institution_id = ?) \
             AND e.trainee_id NOT IN (SELECT trainee_id FROM ({FIRST_CERTIFIED}) firsts)"
        ),
        values,
    )
    .await?;
    let target_u = u64::try_from(target).unwrap_or(0);
    let reached_on = if target_u == 0 {
        Some(programme.starts_on)
    } else if certified >= target_u {
        let mut values = base();
        values.push(i64::from(target - 1).into());
        let rows = sql::query(
            db,
            &format!(
                "SELECT first_on FROM ({FIRST_CERTIFIED}) firsts ORDER BY first_on LIMIT 1 OFFSET ?"
            ),
            values,
        )
        .await?;
        rows.first()
            .map(|row| row.try_get::<NaiveDate>("", "first_on"))
            .transpose()?
    } else {
        None
    };
    let projected_reach_date = if reached_on.is_some() {
        None
    } else {
        let since = today
            .checked_sub_days(Days::new(PROJECTION_DAYS))
            .unwrap_or(today);
        let mut values = base();
        values.push(since.into());
        let recent = sql::count(
            db,
            &format!("SELECT COUNT(*) FROM ({FIRST_CERTIFIED}) firsts WHERE first_on > ?"),
            values,
        )
        .await?;
        project(today, target_u.saturating_sub(certified), recent)
    };
    Ok(TrackProgress {
        track,
        target,
        certified,
        in_training,
        ratio: ratio(certified, target),
        projected_reach_date,
        reached_on,
    })
}

/// City-wide progress from the maintained counters: two statements for all tracks,
/// reading a few rows per track and day whatever the data size.
async fn maintained(
    db: &impl ConnectionTrait,
    programme: &programme_entity::Model,
    tracks: &[(Track, i32)],
    today: NaiveDate,
) -> Result<Vec<TrackProgress>, AppError> {
    let mut totals: HashMap<String, (u64, u64)> = HashMap::new();
    for row in sql::query(
        db,
        "SELECT track, SUM(certified) AS certified, SUM(in_training) AS in_training \
         FROM programme_counter WHERE programme_id = ? GROUP BY track",
        vec![programme.id.into()],
    )
    .await?
    {
        let read = |col: &str| -> Result<u64, AppError> {
            let v = row.try_get::<Option<i64>>("", col)?.unwrap_or(0);
            Ok(u64::try_from(v).unwrap_or(0))
        };
        totals.insert(
            row.try_get("", "track")?,
            (read("certified")?, read("in_training")?),
        );
    }
    let mut days: HashMap<String, Vec<(NaiveDate, u64)>> = HashMap::new();
    for row in sql::query(
        db,
        "SELECT track, day, newly_certified FROM programme_day \
         WHERE programme_id = ? AND newly_certified <> 0 ORDER BY track, day",
        vec![programme.id.into()],
    )
    .await?
    {
        let n = u64::try_from(row.try_get::<i32>("", "newly_certified")?).unwrap_or(0);
        days.entry(row.try_get("", "track")?)
            .or_default()
            .push((row.try_get("", "day")?, n));
    }
    let since = today
        .checked_sub_days(Days::new(PROJECTION_DAYS))
        .unwrap_or(today);
    let mut out = Vec::with_capacity(tracks.len());
    for &(track, target) in tracks {
        let (certified, in_training) = totals.get(track.as_str()).copied().unwrap_or_default();
        let target_u = u64::try_from(target).unwrap_or(0);
        let (mut running, mut reached_on, mut recent) = (0u64, None, 0u64);
        if target_u == 0 {
            reached_on = Some(programme.starts_on);
        }
        for &(day, n) in days.get(track.as_str()).map_or(&[][..], Vec::as_slice) {
            running += n;
            if reached_on.is_none() && running >= target_u {
                reached_on = Some(day);
            }
            if day > since {
                recent += n;
            }
        }
        out.push(TrackProgress {
            track,
            target,
            certified,
            in_training,
            ratio: ratio(certified, target),
            projected_reach_date: if reached_on.is_some() {
                None
            } else {
                project(today, target_u.saturating_sub(certified), recent)
            },
            reached_on,
        });
    }
    Ok(out)
}

/// `certified / target`, 1 when the target is 0.
fn ratio(certified: u64, target: i32) -> f64 {
    if target == 0 {
        1.0
    } else {
        certified as f64 / f64::from(target)
    }
}

/// Linear projection: `remaining` persons at `recent` persons per 90 days.
fn project(today: NaiveDate, remaining: u64, recent: u64) -> Option<NaiveDate> {
    if recent == 0 || remaining == 0 {
        return None;
    }
    let days = (remaining * PROJECTION_DAYS).div_ceil(recent);
    today.checked_add_days(Days::new(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projection_is_linear_in_the_recent_rate() {
        let today = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        // 90 persons in 90 days: one a day, so 10 remaining take 10 days.
        assert_eq!(project(today, 10, 90), NaiveDate::from_ymd_opt(2025, 1, 11));
        assert_eq!(project(today, 10, 0), None);
        assert_eq!(project(today, 0, 5), None);
    }
}
