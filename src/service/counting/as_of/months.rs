//! `progress_month` and `programme_final_month`: the day changes summed per month, each
//! with its `losses`, the sum of the falls written into the month (at most 0, and never
//! above the sum of its days' net falls), so a reader knows, without its days, that a
//! month whose figure started at `s` never fell below `s + losses`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::counting::cell::read_int;
use crate::service::counting::day_changes::{DayChanges, Figure, Key};
use crate::service::counting::sql::{self, Batch};

/// A month's net change and losses, by key (its day is the month's first).
pub type MonthChanges = BTreeMap<Key, (i64, i64)>;

/// The first day of `day`'s month.
pub fn first_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Sums day changes per month: each change adds to its month's change, and a fall to
/// its losses.
pub fn fold<'a>(changes: impl IntoIterator<Item = (&'a Key, &'a i64)>) -> MonthChanges {
    let mut out = MonthChanges::new();
    for (&(programme, scope, figure, day), &n) in changes {
        let entry = out
            .entry((programme, scope, figure, first_of(day)))
            .or_default();
        entry.0 += n;
        entry.1 += n.min(0);
    }
    out
}

/// Where month rows are kept: the live figures, sharded, or a closed programme's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `progress_month`.
    Live,
    /// `programme_final_month`.
    Final,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Self::Live => "progress_month",
            Self::Final => "programme_final_month",
        }
    }
}

/// Adds `months` to `table` in key order, each on the shard `shard` gives its month
/// (ignored for a closed programme's rows).
pub async fn add(
    db: &impl ConnectionTrait,
    table: Table,
    months: &MonthChanges,
    shard: impl Fn(NaiveDate) -> i32,
) -> Result<(), AppError> {
    let mut batch = Batch::default();
    write(&mut batch, table, months, shard);
    batch.send(db).await?;
    Ok(())
}

/// [`add`], as statements of `batch`.
pub fn write(
    batch: &mut Batch,
    table: Table,
    months: &MonthChanges,
    shard: impl Fn(NaiveDate) -> i32,
) {
    let (head, tail) = match table {
        Table::Live => (
            "INSERT INTO progress_month (programme_id, scope_id, figure, month, shard, change, losses) VALUES ",
            " ON CONFLICT (programme_id, scope_id, figure, month, shard) DO UPDATE SET \
             change = progress_month.change + excluded.change, \
             losses = progress_month.losses + excluded.losses",
        ),
        Table::Final => (
            "INSERT INTO programme_final_month (programme_id, scope_id, figure, month, change, losses) VALUES ",
            "",
        ),
    };
    batch.insert_rows(
        head,
        tail,
        months
            .iter()
            .map(|((programme, scope, figure, month), (n, losses))| {
                let mut row: Vec<Value> = vec![
                    (*programme).into(),
                    (*scope).into(),
                    figure.spelling().into(),
                    (*month).into(),
                ];
                if table == Table::Live {
                    row.push(shard(*month).into());
                }
                row.extend([Value::from(*n), Value::from(*losses)]);
                row
            }),
    );
}

/// The day changes stored in `days` (`progress_day` or `programme_final`), shards summed,
/// zero sums left out; only `programme`'s when given.
pub async fn stored_days(
    db: &impl ConnectionTrait,
    days: &str,
    programme: Option<Uuid>,
) -> Result<DayChanges, AppError> {
    let mut out = DayChanges::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT programme_id, scope_id, figure, day, CAST(SUM(change) AS BIGINT) AS n \
             FROM {days} WHERE (? IS NULL OR programme_id = ?) \
             GROUP BY programme_id, scope_id, figure, day"
        ),
        vec![programme.into(), programme.into()],
    )
    .await?
    {
        let key = (
            row.try_get("", "programme_id")?,
            row.try_get("", "scope_id")?,
            Figure::parse(&row.try_get::<String>("", "figure")?)?,
            row.try_get("", "day")?,
        );
        crate::service::counting::day_changes::add(&mut out, key, read_int(&row, "n")?);
    }
    Ok(out)
}

/// The month rows stored in `table`, shards summed.
async fn stored(db: &impl ConnectionTrait, table: Table) -> Result<MonthChanges, AppError> {
    let mut out = MonthChanges::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT programme_id, scope_id, figure, month, CAST(SUM(change) AS BIGINT) AS n, \
             CAST(SUM(losses) AS BIGINT) AS losses FROM {} \
             GROUP BY programme_id, scope_id, figure, month",
            table.name()
        ),
        vec![],
    )
    .await?
    {
        let key = (
            row.try_get("", "programme_id")?,
            row.try_get("", "scope_id")?,
            Figure::parse(&row.try_get::<String>("", "figure")?)?,
            row.try_get("", "month")?,
        );
        out.insert(key, (read_int(&row, "n")?, read_int(&row, "losses")?));
    }
    Ok(out)
}

/// `verify-counts` for `table`: a month whose change differs from its days' sum in
/// `days`, or whose losses are above their net falls (a reader would then miss a fall).
pub async fn verify(
    db: &impl ConnectionTrait,
    table: Table,
    days: &DayChanges,
) -> Result<Vec<String>, AppError> {
    let expected = fold(days);
    let actual = stored(db, table).await?;
    let mut out = Vec::new();
    for (key, &(n, losses)) in &actual {
        let (want, floor) = expected.get(key).copied().unwrap_or_default();
        if n != want || losses > floor {
            out.push(format!(
                "{} {key:?}: expected change {want} with losses at most {floor}, stored change {n} with losses {losses}",
                table.name()
            ));
        }
    }
    for (key, (want, _)) in &expected {
        if *want != 0 && !actual.contains_key(key) {
            out.push(format!(
                "{} {key:?}: expected change {want}, stored nothing",
                table.name()
            ));
        }
    }
    Ok(out)
}

/// Fills `table` from its day table when it is empty and the day table is not: a
/// registry migrated from before month rows existed.
pub async fn fill_if_empty(db: &impl ConnectionTrait, table: Table) -> Result<(), AppError> {
    let days = match table {
        Table::Live => "progress_day",
        Table::Final => "programme_final",
    };
    let has = |t: &str| {
        let text = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {t} LIMIT 1) t");
        async move { sql::count(db, &text, vec![]).await }
    };
    if has(table.name()).await? == 0 && has(days).await? > 0 {
        let months = fold(&stored_days(db, days, None).await?);
        add(db, table, &months, |_| 0).await?;
        tracing::info!("{} filled from {days}", table.name());
    }
    Ok(())
}
