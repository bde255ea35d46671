//! `asOf`: every figure as it stood at the end of a day, from `progress_day`, the sum of
//! every person's [`day_changes`] (and of every recognition's and sales month's), kept
//! in the transaction of each write and read without scanning the base tables.
//!
//! A write's [`super::Tally`] calls `changes` once, at the write's end: it locks the
//! people the write touched (so two writes about one person, on either track, take
//! turns), reads their rows, and takes the difference between their changes after the
//! write and before it ([`Undo`]); [`write()`] adds it to each day and to its month
//! ([`months`]) in the write's batch. Rows are sharded only for
//! today and this month (what every writer shares); [`compact`] folds the shards of past
//! days and months into one row, so a read ([`figures`]) sums about one row per figure and
//! month, and the days of at most three months.

mod load;
pub mod months;
mod read;
pub mod recount;
mod rise;

pub use read::{Figures, figures};

use std::collections::BTreeMap;

use chrono::{Days as DayCount, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait, Value};
use uuid::Uuid;

use super::cell::read_int;
use super::day_changes::{self, DayChanges, Figure, Key, Period, Person, Undo};
use super::shard::shard_for;
use super::sql::{self, Batch};
use crate::domain::{GoalKind, programme_date};
use crate::error::AppError;
use crate::service::now;

/// The day changes `people`'s rows (distinct, in id order) underwent in this write
/// (described by `undo`), after taking their trainee rows until the write ends, so two
/// writes about one person (on either track) take turns; those of `started` (the write
/// only started them on a track, [`super::Tally::enrolled`]) from the rows given, neither
/// taken nor read. `programmes` are read when the write has not read them yet (on
/// PostgreSQL by the statement that takes the rows).
pub(super) async fn changes(
    db: &impl ConnectionTrait,
    people: &[Uuid],
    undo: &Undo,
    started: &BTreeMap<Uuid, Person>,
    programmes: &mut Option<Vec<Period>>,
) -> Result<DayChanges, AppError> {
    let mut changes = DayChanges::new();
    let mut add = |after: &Person, programmes: &[Period]| {
        let before = undo.before(after);
        let made = day_changes::difference(
            day_changes::of_person(after, programmes),
            &day_changes::of_person(&before, programmes),
        );
        for (key, n) in made {
            day_changes::add(&mut changes, key, n);
        }
    };
    let read: Vec<Uuid> = people
        .iter()
        .filter(|p| !started.contains_key(*p))
        .copied()
        .collect();
    // A thousand people at a time (in id order, so the locks are still taken in one
    // order), so a bulk write never holds everyone's rows in memory at once.
    for people in read.chunks(1000) {
        lock(db, people, programmes).await?;
        for (_, after) in load::people(db, people).await? {
            add(&after, programmes.as_deref().unwrap_or_default());
        }
    }
    if !started.is_empty() {
        // Nobody to take: the programmes, unless read already.
        lock(db, &[], programmes).await?;
        for after in started.values() {
            add(after, programmes.as_deref().unwrap_or_default());
        }
    }
    Ok(changes)
}

/// A goal's figure changed by `change` (organisations, or fen) as of `day`.
pub async fn goal_changed(
    db: &impl ConnectionTrait,
    programme: Uuid,
    kind: GoalKind,
    day: NaiveDate,
    change: i64,
) -> Result<(), AppError> {
    let mut changes = DayChanges::new();
    day_changes::add(
        &mut changes,
        (programme, Uuid::nil(), Figure::Goal(kind), day),
        change,
    );
    apply(db, &changes).await
}

/// Takes the people's trainee rows, in id order, until the end of the transaction, and
/// reads `programmes` unless read already (on PostgreSQL in the same statement). On SQLite the transaction already holds the
/// database's one write lock.
async fn lock(
    db: &impl ConnectionTrait,
    people: &[Uuid],
    programmes: &mut Option<Vec<Period>>,
) -> Result<(), AppError> {
    let people = if db.get_database_backend() == DbBackend::Postgres {
        people
    } else {
        &[]
    };
    if people.is_empty() {
        if programmes.is_none() {
            *programmes = Some(super::write::programmes(db).await?);
        }
        return Ok(());
    }
    for chunk in people.chunks(sql::ROWS) {
        let take = format!(
            "SELECT id FROM trainee WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE",
            sql::marks(chunk.len())
        );
        let values = chunk.iter().map(|id| Value::from(*id)).collect();
        if programmes.is_some() {
            sql::query(db, &take, values).await?;
            continue;
        }
        // Every row taken (the count reads the whole `WITH`), then every programme: one
        // row with NULLs when there is none.
        let rows = sql::query(
            db,
            &format!(
                "WITH taken AS ({take}) SELECT {} \
                 FROM (SELECT COUNT(*) AS n FROM taken) t LEFT JOIN programme p ON TRUE",
                super::write::PERIOD_COLUMNS
            ),
            values,
        )
        .await?;
        *programmes = Some(super::write::periods_of(&rows)?);
    }
    Ok(())
}

/// The insert of `progress_day` rows, before its `VALUES` list.
const UPSERT_HEAD: &str =
    "INSERT INTO progress_day (programme_id, scope_id, figure, day, shard, change) VALUES ";

/// Adds to an existing row instead of inserting a second one.
const UPSERT_TAIL: &str = " ON CONFLICT (programme_id, scope_id, figure, day, shard) \
     DO UPDATE SET change = progress_day.change + excluded.change";

/// The values of a `progress_day` row, in [`UPSERT_HEAD`]'s column order.
fn row((programme, scope, figure, day): &Key, shard: i32, n: i64) -> Vec<Value> {
    vec![
        (*programme).into(),
        (*scope).into(),
        figure.spelling().into(),
        (*day).into(),
        shard.into(),
        n.into(),
    ]
}

/// Adds `changes` to `progress_day`, and their months to `progress_month`.
pub async fn apply(db: &impl ConnectionTrait, changes: &DayChanges) -> Result<(), AppError> {
    let mut batch = Batch::default();
    write(&mut batch, changes);
    batch.send(db).await?;
    Ok(())
}

/// [`apply`], as statements of `batch`: the rows in key order (one lock order for every
/// writer), today's days and this month's months on the task's shard, others on shard 0.
pub fn write(batch: &mut Batch, changes: &DayChanges) {
    let today = programme_date(now());
    batch.insert_rows(
        UPSERT_HEAD,
        UPSERT_TAIL,
        changes
            .iter()
            .map(|(key, n)| row(key, shard_for(key.3, today), *n)),
    );
    let this_month = months::first_of(today);
    months::write(
        batch,
        months::Table::Live,
        &months::fold(changes),
        |month| shard_for(month, this_month),
    );
}

/// Where a figure stood at the end of a day, summed from its day changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The figure: the sum of its changes up to the day.
    pub total: i64,
    /// Its net change over the [`PROJECTION_DAYS`] days ending on the day.
    pub recent: i64,
    /// The last day its running total rose from below its target to the target or more
    /// (none without a target): when it stands at the target, the day since which it
    /// has stayed there.
    pub crossed: Option<NaiveDate>,
}

/// Every figure that had a change, by figure.
pub type Standings = BTreeMap<Figure, Standing>;

/// Where a part of the registry's day changes are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `progress_day`: the figures as they stand now.
    Live,
    /// `programme_final`: a closed programme's figures as they stood when it was closed.
    Final,
}

/// Copies `programme`'s day changes up to its last day, shards summed, into
/// `programme_final` (and their months into `programme_final_month`): its figures as they stand now, for the city and every
/// institution's share, never recomputed afterwards.
pub async fn freeze(
    db: &impl ConnectionTrait,
    programme: &crate::entity::programme::Model,
) -> Result<(), AppError> {
    sql::query(
        db,
        "INSERT INTO programme_final (programme_id, scope_id, figure, day, change) \
         SELECT programme_id, scope_id, figure, day, SUM(change) FROM progress_day \
         WHERE programme_id = ? AND day <= ? GROUP BY programme_id, scope_id, figure, day \
         HAVING SUM(change) <> 0",
        vec![programme.id.into(), programme.ends_on.into()],
    )
    .await?;
    let days = months::stored_days(db, "programme_final", Some(programme.id)).await?;
    months::add(db, months::Table::Final, &months::fold(&days), |_| 0).await
}

/// Folds the shards of every day before yesterday into shard 0 (writers put only
/// today's changes on other shards), and of every month before yesterday's, in one
/// transaction, in `progress_day` and `progress_month` and in the breakdown cells
/// (`stats_day`, `stats_rollup`); returns the rows folded.
pub async fn compact(db: &DatabaseConnection) -> Result<u64, AppError> {
    let before = programme_date(now())
        .checked_sub_days(DayCount::new(1))
        .unwrap_or(NaiveDate::MIN);
    let txn = db.begin().await?;
    let rows = sql::query(
        &txn,
        "SELECT programme_id, scope_id, figure, day, CAST(SUM(change) AS BIGINT) AS n, COUNT(*) AS folded \
         FROM progress_day WHERE shard <> 0 AND day < ? \
         GROUP BY programme_id, scope_id, figure, day \
         ORDER BY programme_id, scope_id, figure, day",
        vec![before.into()],
    )
    .await?;
    let mut folded = 0u64;
    let mut values = Vec::with_capacity(rows.len());
    for found in &rows {
        folded += u64::try_from(read_int(found, "folded")?).unwrap_or(0);
        let key: Key = (
            found.try_get("", "programme_id")?,
            found.try_get("", "scope_id")?,
            Figure::parse(&found.try_get::<String>("", "figure")?)?,
            found.try_get("", "day")?,
        );
        values.push(row(&key, 0, read_int(found, "n")?));
    }
    sql::insert_rows(&txn, UPSERT_HEAD, UPSERT_TAIL, values.into_iter()).await?;
    sql::query(
        &txn,
        "DELETE FROM progress_day WHERE shard <> 0 AND day < ?",
        vec![before.into()],
    )
    .await?;
    folded += compact_months(&txn, months::first_of(before)).await?;
    folded += super::cell::compact(&txn, before).await?;
    crate::service::commit(txn).await?;
    Ok(folded)
}

/// Folds the shards of every month before `before` into shard 0; returns the rows folded.
async fn compact_months(db: &impl ConnectionTrait, before: NaiveDate) -> Result<u64, AppError> {
    let rows = sql::query(
        db,
        "SELECT programme_id, scope_id, figure, month, CAST(SUM(change) AS BIGINT) AS n, \
         CAST(SUM(losses) AS BIGINT) AS losses, COUNT(*) AS folded FROM progress_month \
         WHERE shard <> 0 AND month < ? GROUP BY programme_id, scope_id, figure, month",
        vec![before.into()],
    )
    .await?;
    let mut folded = 0u64;
    let mut found = months::MonthChanges::new();
    for row in &rows {
        folded += u64::try_from(read_int(row, "folded")?).unwrap_or(0);
        let key: Key = (
            row.try_get("", "programme_id")?,
            row.try_get("", "scope_id")?,
            Figure::parse(&row.try_get::<String>("", "figure")?)?,
            row.try_get("", "month")?,
        );
        found.insert(key, (read_int(row, "n")?, read_int(row, "losses")?));
    }
    sql::query(
        db,
        "DELETE FROM progress_month WHERE shard <> 0 AND month < ?",
        vec![before.into()],
    )
    .await?;
    months::add(db, months::Table::Live, &found, |_| 0).await?;
    Ok(folded)
}
