//! What of a programme's day series (newly certified persons per day and track,
//! `programme_day`) decides each track's reach, read in one statement whatever the
//! data size: for a track whose target was met, the day it was met, found by
//! PostgreSQL or SQLite walking the series in date order and stopping there; for
//! another, the days of the projection's window.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::count;
use crate::domain::Track;
use crate::error::AppError;
use crate::service::counting::{cell, reach, sql};

/// What decides a track's reach.
#[derive(Debug, Clone, PartialEq)]
pub enum Decided {
    /// The target was met on this day: the first on which the running sum of newly
    /// certified persons reached it.
    MetOn(NaiveDate),
    /// The days of the series that give the track's reach ([`reach::reach`]), in date
    /// order.
    Days(Vec<(NaiveDate, u64)>),
}

const SERIES: &str = "SELECT track, day, CAST(newly_certified AS BIGINT) AS newly_certified \
     FROM programme_day WHERE programme_id = ? AND track = ? AND newly_certified <> 0";

/// What decides the reach of each of `wanted`'s tracks (its target, and whether its
/// certified persons, as the counters have them, meet it), as of `today`, in `wanted`'s
/// order. A track whose
/// target was met is read up to the day it was met, in the database; should no day
/// reach it (the counters and the series disagree), its whole series is read instead,
/// so the answer is the one the whole series gives.
pub async fn decided(
    db: &impl ConnectionTrait,
    programme: Uuid,
    wanted: &[(Track, u64, bool)],
    today: NaiveDate,
) -> Result<Vec<Decided>, AppError> {
    let window = reach::window_start(today);
    let mut parts = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for &(track, target, met) in wanted {
        values.extend([programme.into(), track.as_str().into()]);
        let n = parts.len();
        if met {
            values.push(i64::try_from(target).unwrap_or(i64::MAX).into());
            parts.push(format!(
                "SELECT * FROM (SELECT track, day, CAST(0 AS BIGINT) AS newly_certified, \
                 1 AS met FROM (SELECT track, day, SUM(newly_certified) OVER (ORDER BY day) \
                 AS running FROM programme_day WHERE programme_id = ? AND track = ? \
                 AND newly_certified <> 0) s WHERE running >= ? ORDER BY day LIMIT 1) t{n}"
            ));
        } else {
            values.push(window.into());
            parts.push(format!(
                "SELECT * FROM (SELECT track, day, newly_certified, 0 AS met \
                 FROM ({SERIES} AND day > ?) s) t{n}"
            ));
        }
    }
    let mut out: HashMap<Track, Decided> = HashMap::new();
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    // A window's rows are its days; a met track's one row, the day it was met.
    let text = parts.join(" UNION ALL ");
    for row in sql::query(db, &text, values).await? {
        let track = cell::track(&row.try_get::<String>("", "track")?)?;
        let day: NaiveDate = row.try_get("", "day")?;
        if row.try_get::<i32>("", "met")? == 1 {
            out.insert(track, Decided::MetOn(day));
        } else if let Decided::Days(days) = out
            .entry(track)
            .or_insert_with(|| Decided::Days(Vec::new()))
        {
            days.push((day, count(&row, "newly_certified")?));
        }
    }
    let mut decided = Vec::with_capacity(wanted.len());
    for &(track, _, met) in wanted {
        decided.push(match out.remove(&track) {
            Some(Decided::MetOn(day)) => Decided::MetOn(day),
            Some(Decided::Days(_)) | None if met => {
                Decided::Days(whole_series(db, programme, track).await?)
            }
            Some(Decided::Days(mut days)) => {
                days.sort_unstable();
                Decided::Days(days)
            }
            None => Decided::Days(Vec::new()),
        });
    }
    Ok(decided)
}

/// Every day of a track's series, in date order.
async fn whole_series(
    db: &impl ConnectionTrait,
    programme: Uuid,
    track: Track,
) -> Result<Vec<(NaiveDate, u64)>, AppError> {
    let rows = sql::query(
        db,
        &format!("{SERIES} ORDER BY day"),
        vec![programme.into(), track.as_str().into()],
    )
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "day")?, count(row, "newly_certified")?)))
        .collect()
}
