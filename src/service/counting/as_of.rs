//! `asOf`: every figure as it stood at the end of a day, from `progress_day`, the sum of
//! every person's [`day_changes`] (and of every recognition's and sales month's), kept
//! in the transaction of each write and read without scanning the base tables.
//!
//! A write calls [`record`] once, after its base rows and its other counts: it locks the
//! people it touched (so two writes about one person, on either track, take turns), reads
//! their rows, and adds the difference between their changes after the write and before
//! it ([`Undo`]). Rows are sharded only for today (the day every writer shares);
//! [`compact`] folds the shards of past days into one row, so a read sums about one row
//! per figure and day of change.

mod load;
pub mod recount;

use std::collections::BTreeMap;

use chrono::{Days as DayCount, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait, Value};
use uuid::Uuid;

use super::cell::{SHARDS, read_int};
use super::day_changes::{self, DayChanges, Figure, Key, Undo};
use super::{sql, write};
use crate::domain::{GoalKind, programme_date};
use crate::error::AppError;
use crate::service::now;

/// Adds the changes `people`'s rows underwent in this write (described by `undo`).
pub async fn record(
    db: &impl ConnectionTrait,
    people: &[Uuid],
    undo: &Undo,
) -> Result<(), AppError> {
    if people.is_empty() {
        return Ok(());
    }
    let mut sorted = people.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    lock(db, &sorted).await?;
    let programmes = write::programmes(db).await?;
    let mut changes = DayChanges::new();
    for (_, after) in load::people(db, &sorted).await? {
        let before = undo.before(&after);
        let made = day_changes::difference(
            day_changes::of_person(&after, &programmes),
            &day_changes::of_person(&before, &programmes),
        );
        for (key, n) in made {
            day_changes::add(&mut changes, key, n);
        }
    }
    apply(db, &changes).await
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

/// Takes the people's trainee rows, in id order, until the end of the transaction. On
/// SQLite the transaction already holds the database's one write lock.
async fn lock(db: &impl ConnectionTrait, people: &[Uuid]) -> Result<(), AppError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for chunk in people.chunks(sql::ROWS) {
        sql::query(
            db,
            &format!(
                "SELECT id FROM trainee WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE",
                sql::marks(chunk.len())
            ),
            chunk.iter().map(|id| Value::from(*id)).collect(),
        )
        .await?;
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

/// Adds `changes` to `progress_day` in key order (one lock order for every writer):
/// today's on a random shard, other days' on shard 0.
pub async fn apply(db: &impl ConnectionTrait, changes: &DayChanges) -> Result<(), AppError> {
    let today = programme_date(now());
    let shard = |day: NaiveDate| {
        if day == today {
            i32::try_from(rand::random::<u32>() % SHARDS.unsigned_abs()).unwrap_or(0)
        } else {
            0
        }
    };
    sql::insert_rows(
        db,
        UPSERT_HEAD,
        UPSERT_TAIL,
        changes.iter().map(|(key, n)| row(key, shard(key.3), *n)),
    )
    .await
}

/// One figure's changes per day, in date order.
pub type Series = Vec<(NaiveDate, i64)>;

/// Where day changes are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `progress_day`: the figures as they stand now.
    Live,
    /// `programme_final`: a closed programme's figures as they stood when it was closed.
    Final,
}

/// Every figure of `programme` in `scope` (nil: the city) as day changes up to the end
/// of `as_of`, in one statement.
pub async fn read(
    db: &impl ConnectionTrait,
    source: Source,
    programme: Uuid,
    scope: Uuid,
    as_of: NaiveDate,
) -> Result<BTreeMap<Figure, Series>, AppError> {
    let table = match source {
        Source::Live => "progress_day",
        Source::Final => "programme_final",
    };
    let mut out: BTreeMap<Figure, Series> = BTreeMap::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT figure, day, CAST(SUM(change) AS BIGINT) AS n FROM {table} \
             WHERE programme_id = ? AND scope_id = ? AND day <= ? \
             GROUP BY figure, day ORDER BY figure, day"
        ),
        vec![programme.into(), scope.into(), as_of.into()],
    )
    .await?
    {
        let n = read_int(&row, "n")?;
        if n != 0 {
            out.entry(Figure::parse(&row.try_get::<String>("", "figure")?)?)
                .or_default()
                .push((row.try_get("", "day")?, n));
        }
    }
    Ok(out)
}

/// Copies `programme`'s day changes up to its last day, shards summed, into
/// `programme_final`: its figures as they stand now, for the city and every
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
    .await
    .map(drop)
}

/// Folds the shards of every day before yesterday into shard 0 (writers put only
/// today's changes on other shards), in one transaction; returns the rows folded.
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
    crate::service::commit(txn).await?;
    Ok(folded)
}
