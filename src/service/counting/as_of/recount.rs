//! `progress_day` (and its months) from the base tables: every person's day changes summed, with every
//! recognition's and sales month's, for `verify-counts`, `rebuild` and a new
//! programme's backfill.

use std::cmp::max;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::months::{self, Table};
use super::{UPSERT_HEAD, load, row};
use crate::domain::{GoalKind, Month, programme_date};
use crate::error::AppError;
use crate::service::counting::cell::read_int;
use crate::service::counting::day_changes::{self, DayChanges, Figure, Period};
use crate::service::counting::{sql, write};

/// People read per page of the recount.
const PAGE: u64 = 5000;

/// The day changes of `programmes` recounted from the base tables: people a page at a
/// time, then recognitions and sales months when `goals` is set.
pub async fn recount(
    db: &impl ConnectionTrait,
    programmes: &[Period],
    goals: bool,
) -> Result<DayChanges, AppError> {
    let mut out = DayChanges::new();
    let mut after: Option<Uuid> = None;
    loop {
        let page: Vec<Uuid> = sql::query(
            db,
            &format!(
                "SELECT DISTINCT trainee_id FROM enrolment WHERE (? IS NULL OR trainee_id > ?) \
                 ORDER BY trainee_id LIMIT {PAGE}"
            ),
            vec![after.into(), after.into()],
        )
        .await?
        .iter()
        .map(|row| row.try_get("", "trainee_id"))
        .collect::<Result<_, _>>()?;
        let Some(last) = page.last().copied() else {
            break;
        };
        for person in load::people(db, &page).await?.values() {
            for (key, n) in day_changes::of_person(person, programmes) {
                day_changes::add(&mut out, key, n);
            }
        }
        after = Some(last);
    }
    if goals {
        recount_goals(db, &mut out).await?;
    }
    Ok(out)
}

/// Recognitions count from their day until their withdrawal's (if later); a sales
/// month counts its value from its first day.
async fn recount_goals(db: &impl ConnectionTrait, out: &mut DayChanges) -> Result<(), AppError> {
    for row in sql::query(
        db,
        "SELECT programme_id, kind, recognised_on, withdrawn_at FROM recognition",
        vec![],
    )
    .await?
    {
        let programme: Uuid = row.try_get("", "programme_id")?;
        let figure = Figure::Goal(goal_kind(&row.try_get::<String>("", "kind")?)?);
        let from: NaiveDate = row.try_get("", "recognised_on")?;
        day_changes::add(out, (programme, Uuid::nil(), figure, from), 1);
        let withdrawn: Option<DateTime<Utc>> = row.try_get("", "withdrawn_at")?;
        if let Some(at) = withdrawn {
            let until = withdrawal_day(from, at);
            day_changes::add(out, (programme, Uuid::nil(), figure, until), -1);
        }
    }
    for row in sql::query(
        db,
        "SELECT programme_id, kind, month, value_fen FROM indicator",
        vec![],
    )
    .await?
    {
        let month: String = row.try_get("", "month")?;
        let day = Month::parse(&month)
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored month {month}")))?
            .first_day();
        let figure = Figure::Goal(goal_kind(&row.try_get::<String>("", "kind")?)?);
        let key = (row.try_get("", "programme_id")?, Uuid::nil(), figure, day);
        day_changes::add(out, key, read_int(&row, "value_fen")?);
    }
    Ok(())
}

/// The day from which a withdrawn recognition no longer counts: its withdrawal's day,
/// or its own day when withdrawn before it (so it never counted).
pub fn withdrawal_day(recognised_on: NaiveDate, withdrawn_at: DateTime<Utc>) -> NaiveDate {
    max(recognised_on, programme_date(withdrawn_at))
}

fn goal_kind(raw: &str) -> Result<GoalKind, AppError> {
    raw.parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown stored goal kind {raw}")))
}

/// `verify-counts` for `progress_day` and `progress_month`: every difference from a
/// recount; and for `programme_final_month`, from the frozen days it sums.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let programmes = write::programmes(db).await?;
    let expected = recount(db, &programmes, true).await?;
    let actual = months::stored_days(db, "progress_day", None).await?;
    let mut out = Vec::new();
    super::super::verify::diff("progress_day", &expected, &actual, &mut out);
    out.extend(months::verify(db, Table::Live, &expected).await?);
    let frozen = months::stored_days(db, "programme_final", None).await?;
    out.extend(months::verify(db, Table::Final, &frozen).await?);
    Ok(out)
}

/// Replaces `progress_day` with a recount (inside `rebuild`'s transaction).
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<(), AppError> {
    sql::query(db, "DELETE FROM progress_day", vec![]).await?;
    sql::query(db, "DELETE FROM progress_month", vec![]).await?;
    let programmes = write::programmes(db).await?;
    let changes = recount(db, &programmes, true).await?;
    insert(db, &changes).await
}

/// Fills `progress_day` from the base tables when it is empty and the registry is not
/// (a registry migrated from before `asOf` existed), and the month rows from the day
/// rows when they are empty (from before they existed). Writers wait meanwhile.
pub async fn fill_if_empty(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let filled = sql::count(
        &txn,
        "SELECT COUNT(*) FROM (SELECT 1 FROM progress_day LIMIT 1) t",
        vec![],
    )
    .await?;
    let used = sql::count(
        &txn,
        "SELECT COUNT(*) FROM (SELECT 1 FROM enrolment LIMIT 1) t",
        vec![],
    )
    .await?;
    if filled == 0 && used > 0 {
        crate::service::counting::recount::lock_writers(&txn).await?;
        rebuild(&txn).await?;
        tracing::info!("progress_day filled from the base tables");
    }
    months::fill_if_empty(&txn, Table::Live).await?;
    months::fill_if_empty(&txn, Table::Final).await?;
    crate::service::commit(txn).await
}

/// The day changes of a programme created now (it has no goals recorded yet).
pub async fn backfill(db: &impl ConnectionTrait, programme: Period) -> Result<(), AppError> {
    let changes = recount(db, &[programme], false).await?;
    insert(db, &changes).await
}

async fn insert(db: &impl ConnectionTrait, changes: &DayChanges) -> Result<(), AppError> {
    sql::insert_rows(
        db,
        UPSERT_HEAD,
        "",
        changes.iter().map(|(key, n)| row(key, 0, *n)),
    )
    .await?;
    months::add(db, Table::Live, &months::fold(changes), |_| 0).await
}
