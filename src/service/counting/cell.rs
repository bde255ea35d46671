//! The maintained counts' cells, typed: a breakdown cell and its four measures, a
//! programme's totals on a track, the day series, and the changes one write makes to
//! them, applied at the end of its transaction in one lock order. A breakdown cell
//! carries its event's day: the change lands in its `stats_day` row and in the
//! `stats_rollup` row of the day's month.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::sql;
use crate::domain::{Track, month_of};
use crate::entity::{certificate, course};
use crate::error::AppError;

/// Shards of a programme's totals: each writer adds to its task's ([`shard`]), readers sum all, so
/// concurrent certifications do not queue on one row.
pub const SHARDS: i32 = 16;

/// The shard the current task adds its sharded rows to: one for every statement of a
/// request's transaction, so two transactions never take two shards of one counter in
/// opposite orders (a deadlock on PostgreSQL), and spread over [`SHARDS`] across
/// concurrent requests, each served by a task of its own.
pub fn shard() -> i32 {
    use std::hash::{Hash, Hasher};
    let seed = match tokio::task::try_id() {
        Some(id) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut hasher);
            hasher.finish()
        }
        None => rand::random::<u64>(),
    };
    i32::try_from(seed % u64::from(SHARDS.unsigned_abs())).unwrap_or(0)
}

/// The grain of a `stats_rollup` or `stats_day` row: per institution, or per district
/// (institution id nil), so a breakdown by district reads the district rows only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    /// One row per institution cell.
    Institution,
    /// One row per district cell.
    District,
}

impl Grain {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Institution => "INSTITUTION",
            Self::District => "DISTRICT",
        }
    }
}

/// A breakdown cell at institution grain, on one day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    /// Institution.
    pub institution_id: Uuid,
    /// Its district.
    pub district: String,
    /// Track.
    pub track: Track,
    /// Skill level, 0 for none.
    pub level: i32,
    /// The day of the event counted (programme calendar).
    pub day: NaiveDate,
}

impl Cell {
    /// The cell of an event of `course` (of an institution in `district`) on `on`.
    pub fn of_course(
        course: &course::Model,
        district: &str,
        on: NaiveDate,
    ) -> Result<Self, AppError> {
        Ok(Self {
            institution_id: course.institution_id,
            district: district.to_owned(),
            track: track(&course.track)?,
            level: course.level.unwrap_or(0),
            day: on,
        })
    }

    /// The cell of a certificate (issued by an institution in `district`).
    pub fn of_certificate(cert: &certificate::Model, district: &str) -> Result<Self, AppError> {
        Ok(Self {
            institution_id: cert.institution_id,
            district: district.to_owned(),
            track: track(&cert.track)?,
            level: cert.level.unwrap_or(0),
            day: cert.issued_on,
        })
    }

    /// `YYYY-MM` of its day.
    pub fn month(&self) -> String {
        month_of(self.day)
    }

    /// The same cell on the first day of its month: the key of its `stats_rollup` row.
    pub fn month_cell(&self) -> Self {
        Self {
            day: self.day.with_day(1).unwrap_or(self.day),
            ..self.clone()
        }
    }

    /// The key columns of its row at `grain` in `stats_rollup` (`grain, institution_id,
    /// district, track, level, month`) or, `by_day`, in `stats_day` (`…, level, day`).
    pub fn key_values(&self, grain: Grain, by_day: bool) -> Vec<Value> {
        vec![
            grain.as_str().into(),
            self.institution_id.into(),
            self.district.clone().into(),
            self.track.as_str().into(),
            self.level.into(),
            if by_day {
                self.day.into()
            } else {
                self.month().into()
            },
        ]
    }

    /// The same cell at district grain (institution id nil).
    pub fn district_grain(&self) -> Self {
        Self {
            institution_id: Uuid::nil(),
            ..self.clone()
        }
    }
}

/// A stored track spelling as a [`Track`].
pub fn track(raw: &str) -> Result<Track, AppError> {
    raw.parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown stored track {raw}")))
}

/// What a breakdown cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Enrolments made, by enrolment date.
    Enrolments,
    /// Enrolments completed as passed, by completion date.
    Completions,
    /// Persons, once per track, in the cell of their first enrolment.
    Trainees,
    /// Persons, once per track, in the cell of their first unrevoked certificate.
    CertifiedPersons,
}

/// The four measures of a cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    /// See [`Measure::Enrolments`].
    pub enrolments: i64,
    /// See [`Measure::Completions`].
    pub completions: i64,
    /// See [`Measure::Trainees`].
    pub trainees: i64,
    /// See [`Measure::CertifiedPersons`].
    pub certified_persons: i64,
}

impl Measures {
    /// Adds `n` to `measure`.
    pub fn add(&mut self, measure: Measure, n: i64) {
        *match measure {
            Measure::Enrolments => &mut self.enrolments,
            Measure::Completions => &mut self.completions,
            Measure::Trainees => &mut self.trainees,
            Measure::CertifiedPersons => &mut self.certified_persons,
        } += n;
    }

    /// Adds every measure of `other`.
    pub fn add_all(&mut self, other: &Self) {
        self.enrolments += other.enrolments;
        self.completions += other.completions;
        self.trainees += other.trainees;
        self.certified_persons += other.certified_persons;
    }

    /// True when every measure is 0.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// A programme's totals on one track.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Distinct persons certified within the period.
    pub certified: i64,
    /// Distinct persons enrolled now and not certified within the period.
    pub in_training: i64,
}

impl Totals {
    /// True when both totals are 0.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// An integer column that is `int4` in a table but `int8` from an aggregate. The `int8`
/// read comes first: a hot read of an `int4` column should `CAST(… AS BIGINT)` in its
/// SQL, since the failed first read builds an error per row.
pub fn read_int(row: &QueryResult, col: &str) -> Result<i64, AppError> {
    match row.try_get::<i64>("", col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(i64::from(row.try_get::<i32>("", col)?)),
    }
}

/// Changes collected during one write, applied at its end in key order.
#[derive(Debug, Default)]
pub struct Deltas {
    stats: BTreeMap<Cell, Measures>,
    totals: BTreeMap<(Uuid, Track), Totals>,
    /// (programme, track, day) → newly certified persons.
    days: BTreeMap<(Uuid, Track, NaiveDate), i64>,
}

impl Deltas {
    /// `n` more of `measure` in `cell`.
    pub fn stat(&mut self, cell: Cell, measure: Measure, n: i64) {
        self.stats.entry(cell).or_default().add(measure, n);
    }

    /// `n` more persons certified in `programme` on `track`.
    pub fn certified(&mut self, programme: Uuid, track: Track, n: i64) {
        self.totals.entry((programme, track)).or_default().certified += n;
    }

    /// `n` more persons in training in `programme` on `track`.
    pub fn in_training(&mut self, programme: Uuid, track: Track, n: i64) {
        self.totals
            .entry((programme, track))
            .or_default()
            .in_training += n;
    }

    /// `n` more persons first certified in `programme` on `track` on `day`.
    pub fn day(&mut self, programme: Uuid, track: Track, day: NaiveDate, n: i64) {
        *self.days.entry((programme, track, day)).or_default() += n;
    }

    /// Writes the changes: breakdown cells at both grains, first the months'
    /// `stats_rollup` rows then the days' `stats_day` rows, each in one global key order
    /// (so concurrent writers cannot deadlock); the task's shard of each programme total;
    /// the day series. Cells whose change is zero are not touched.
    pub async fn apply(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let mut days: BTreeMap<(Grain, Cell), Measures> = BTreeMap::new();
        let mut months: BTreeMap<(Grain, Cell), Measures> = BTreeMap::new();
        for (cell, m) in &self.stats {
            for (grain, cell) in [
                (Grain::District, cell.district_grain()),
                (Grain::Institution, cell.clone()),
            ] {
                months
                    .entry((grain, cell.month_cell()))
                    .or_default()
                    .add_all(m);
                days.entry((grain, cell)).or_default().add_all(m);
            }
        }
        upsert_cells(db, false, months).await?;
        upsert_cells(db, true, days).await?;
        for ((programme, track), totals) in self.totals {
            if totals.is_zero() {
                continue;
            }
            let shard = shard();
            sql::query(
                db,
                "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (programme_id, track, shard) DO UPDATE SET \
                 certified = programme_counter.certified + excluded.certified, \
                 in_training = programme_counter.in_training + excluded.in_training",
                vec![
                    programme.into(),
                    track.as_str().into(),
                    shard.into(),
                    int(totals.certified),
                    int(totals.in_training),
                ],
            )
            .await?;
        }
        for ((programme, track, day), n) in self.days {
            if n == 0 {
                continue;
            }
            sql::query(
                db,
                "INSERT INTO programme_day (programme_id, track, day, newly_certified) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (programme_id, track, day) DO UPDATE SET \
                 newly_certified = programme_day.newly_certified + excluded.newly_certified",
                vec![programme.into(), track.as_str().into(), day.into(), int(n)],
            )
            .await?;
        }
        Ok(())
    }
}

/// Adds `rows` to `stats_rollup` (months) or, `by_day`, to `stats_day`, in key order,
/// skipping zero changes.
async fn upsert_cells(
    db: &impl ConnectionTrait,
    by_day: bool,
    rows: BTreeMap<(Grain, Cell), Measures>,
) -> Result<(), AppError> {
    let (table, date) = if by_day {
        ("stats_day", "day")
    } else {
        ("stats_rollup", "month")
    };
    sql::insert_rows(
        db,
        &format!(
            "INSERT INTO {table} (grain, institution_id, district, track, level, {date}, \
             enrolments, completions, trainees, certified_persons) VALUES "
        ),
        &format!(
            " ON CONFLICT (grain, institution_id, district, track, level, {date}) DO UPDATE SET \
             enrolments = {table}.enrolments + excluded.enrolments, \
             completions = {table}.completions + excluded.completions, \
             trainees = {table}.trainees + excluded.trainees, \
             certified_persons = {table}.certified_persons + excluded.certified_persons"
        ),
        rows.into_iter()
            .filter(|(_, m)| !m.is_zero())
            .map(|((grain, cell), m)| {
                let mut row = cell.key_values(grain, by_day);
                row.extend([
                    int(m.enrolments),
                    int(m.completions),
                    int(m.trainees),
                    int(m.certified_persons),
                ]);
                row
            }),
    )
    .await
}

fn int(v: i64) -> Value {
    i32::try_from(v).unwrap_or(i32::MAX).into()
}
