//! The goals met by recognitions and by monthly indicators: `goal_counter` (live
//! recognitions per programme and goal, or the sales sum in fen) and `goal_day` (the
//! change of that figure per day: a recognition's `recognisedOn`, a sales month's first
//! day), written in the transaction of each recognition, withdrawal or recorded month;
//! read without scanning `recognition` or `indicator`; recounted by `verify-counts`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::cell::read_int;
use super::sql;
use crate::domain::{GoalKind, Month};
use crate::entity::{goal_counter, goal_day};
use crate::error::AppError;

/// A goal's achieved figure (persons, organisations or fen) and its changes per day,
/// in date order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Achieved {
    /// The figure now.
    pub total: u64,
    /// Changes per day (never negative per day: a withdrawal or a replaced month
    /// undoes its own day's change).
    pub days: Vec<(NaiveDate, u64)>,
}

/// Adds `change` to the figure of `kind` in `programme`, dated `day`, and counting in
/// `asOf` from `counts_from` (a withdrawal: the day it was withdrawn). The counter row
/// is taken first (it serializes the goal's writers) and the day rows after it, always
/// in that order.
pub async fn changed(
    db: &impl ConnectionTrait,
    programme: Uuid,
    kind: GoalKind,
    (day, counts_from): (NaiveDate, NaiveDate),
    change: i64,
) -> Result<(), AppError> {
    lock(db, programme, kind).await?;
    super::as_of::goal_changed(db, programme, kind, counts_from, change).await?;
    goal_counter::Entity::update_many()
        .col_expr(
            goal_counter::Column::Achieved,
            Expr::col(goal_counter::Column::Achieved).add(change),
        )
        .filter(goal_counter::Column::ProgrammeId.eq(programme))
        .filter(goal_counter::Column::Kind.eq(kind.as_str()))
        .exec(db)
        .await?;
    sql::query(
        db,
        "INSERT INTO goal_day (programme_id, kind, day, change) VALUES (?, ?, ?, ?) \
         ON CONFLICT (programme_id, kind, day) DO UPDATE SET change = goal_day.change + excluded.change",
        vec![
            programme.into(),
            kind.as_str().into(),
            day.into(),
            change.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Locks the goal's counter row (creating it at 0), so that writers of one goal of one
/// programme run one after the other and each reads what the previous one committed.
pub async fn lock(
    db: &impl ConnectionTrait,
    programme: Uuid,
    kind: GoalKind,
) -> Result<(), AppError> {
    sql::query(
        db,
        "INSERT INTO goal_counter (programme_id, kind, achieved) VALUES (?, ?, 0) \
         ON CONFLICT (programme_id, kind) DO UPDATE SET achieved = goal_counter.achieved",
        vec![programme.into(), kind.as_str().into()],
    )
    .await
    .map(drop)
}

/// The achieved figures of every goal of `programme` with a counter, in two statements.
pub async fn achieved(
    db: &impl ConnectionTrait,
    programme: Uuid,
) -> Result<BTreeMap<GoalKind, Achieved>, AppError> {
    let mut out: BTreeMap<GoalKind, Achieved> = BTreeMap::new();
    for counter in goal_counter::Entity::find()
        .filter(goal_counter::Column::ProgrammeId.eq(programme))
        .all(db)
        .await?
    {
        out.entry(goal_kind(&counter.kind)?).or_default().total = non_negative(counter.achieved);
    }
    for day in goal_day::Entity::find()
        .filter(goal_day::Column::ProgrammeId.eq(programme))
        .filter(goal_day::Column::Change.ne(0))
        .order_by_asc(goal_day::Column::Kind)
        .order_by_asc(goal_day::Column::Day)
        .all(db)
        .await?
    {
        out.entry(goal_kind(&day.kind)?)
            .or_default()
            .days
            .push((day.day, non_negative(day.change)));
    }
    Ok(out)
}

fn goal_kind(raw: &str) -> Result<GoalKind, AppError> {
    raw.parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown stored goal kind {raw}")))
}

fn non_negative(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

type Figures = (
    BTreeMap<(Uuid, String), i64>,
    BTreeMap<(Uuid, String, NaiveDate), i64>,
);

/// The counters and day changes recounted from `recognition` and `indicator`.
async fn recount(db: &impl ConnectionTrait) -> Result<Figures, AppError> {
    let (mut totals, mut days) = (BTreeMap::new(), BTreeMap::new());
    for row in sql::query(
        db,
        "SELECT programme_id, kind, recognised_on AS day, COUNT(*) AS n FROM recognition \
         WHERE withdrawn_at IS NULL GROUP BY programme_id, kind, recognised_on",
        vec![],
    )
    .await?
    {
        let key: (Uuid, String) = (row.try_get("", "programme_id")?, row.try_get("", "kind")?);
        let n = read_int(&row, "n")?;
        *totals.entry(key.clone()).or_default() += n;
        *days
            .entry((key.0, key.1, row.try_get("", "day")?))
            .or_default() += n;
    }
    for row in sql::query(
        db,
        "SELECT programme_id, kind, month, value_fen FROM indicator",
        vec![],
    )
    .await?
    {
        let key: (Uuid, String) = (row.try_get("", "programme_id")?, row.try_get("", "kind")?);
        let n = read_int(&row, "value_fen")?;
        let month: String = row.try_get("", "month")?;
        let day = Month::parse(&month)
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored month {month}")))?
            .first_day();
        *totals.entry(key.clone()).or_default() += n;
        *days.entry((key.0, key.1, day)).or_default() += n;
    }
    Ok((totals, days))
}

/// The stored counters and day changes, zero rows left out.
async fn stored(db: &impl ConnectionTrait) -> Result<Figures, AppError> {
    let counters = goal_counter::Entity::find()
        .filter(goal_counter::Column::Achieved.ne(0))
        .all(db)
        .await?;
    let days = goal_day::Entity::find()
        .filter(goal_day::Column::Change.ne(0))
        .all(db)
        .await?;
    Ok((
        counters
            .into_iter()
            .map(|c| ((c.programme_id, c.kind), c.achieved))
            .collect(),
        days.into_iter()
            .map(|d| ((d.programme_id, d.kind, d.day), d.change))
            .collect(),
    ))
}

/// `verify-counts` for the goals: every difference between the stored and the
/// recounted `goal_counter` and `goal_day` rows.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let (want_totals, want_days) = recount(db).await?;
    let (have_totals, have_days) = stored(db).await?;
    let mut out = Vec::new();
    super::verify::diff("goal_counter", &want_totals, &have_totals, &mut out);
    super::verify::diff("goal_day", &want_days, &have_days, &mut out);
    Ok(out)
}

/// Replaces the stored goal counts with a recount (`rebuild`).
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Writers of recognitions and sales wait until the rebuilt rows are committed.
        sql::query(
            db,
            "LOCK TABLE recognition, indicator IN SHARE ROW EXCLUSIVE MODE",
            vec![],
        )
        .await?;
    }
    goal_counter::Entity::delete_many().exec(db).await?;
    goal_day::Entity::delete_many().exec(db).await?;
    let (totals, days) = recount(db).await?;
    super::recount::insert_chunked(
        db,
        totals
            .into_iter()
            .map(
                |((programme_id, kind), achieved)| goal_counter::ActiveModel {
                    programme_id: Set(programme_id),
                    kind: Set(kind),
                    achieved: Set(achieved),
                },
            )
            .collect(),
    )
    .await?;
    super::recount::insert_chunked(
        db,
        days.into_iter()
            .map(
                |((programme_id, kind, day), change)| goal_day::ActiveModel {
                    programme_id: Set(programme_id),
                    kind: Set(kind),
                    day: Set(day),
                    change: Set(change),
                },
            )
            .collect(),
    )
    .await
}
