//! The maintained counts' cells, typed: a breakdown cell and its four measures, a
//! programme's totals on a track, the day series, and the changes one write makes to
//! them, applied at the end of its transaction in one lock order. A breakdown cell
//! carries its event's day: the change lands in its `stats_day` row and in the
//! `stats_rollup` row of the day's month.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::shard::{shard, shard_for};
use super::sql::{self, Batch};
use crate::domain::{Track, month_of, programme_date};
use crate::entity::{certificate, course};
use crate::error::AppError;
use crate::service::now;

/// The grain of a `stats_rollup` or `stats_day` row: per institution, per district
/// (institution id nil), or per district with every track and level summed (institution
/// id nil, track [`ALL_TRACKS`], level 0), so a breakdown by district reads the district
/// rows only, and one by district and month alone reads one row per district and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    /// One row per institution cell.
    Institution,
    /// One row per district cell.
    District,
    /// One row per district and date: its district cells of every track and level summed.
    DistrictTotal,
}

impl Grain {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Institution => "INSTITUTION",
            Self::District => "DISTRICT",
            Self::DistrictTotal => "DISTRICT_TOTAL",
        }
    }
}

/// The stored track of a [`Grain::DistrictTotal`] row, which sums every track.
pub const ALL_TRACKS: &str = "*";

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
    /// district, track, level, month, shard`) or, `by_day`, in `stats_day` (`…, level,
    /// day, shard`): today's day and this month's month on the task's shard; the track
    /// [`ALL_TRACKS`] at [`Grain::DistrictTotal`].
    pub fn key_values(&self, grain: Grain, by_day: bool) -> Vec<Value> {
        let today = programme_date(now());
        let (date, shard) = if by_day {
            (self.day.into(), shard_for(self.day, today))
        } else {
            let first = |day: NaiveDate| day.with_day(1).unwrap_or(day);
            (
                self.month().into(),
                shard_for(first(self.day), first(today)),
            )
        };
        vec![
            grain.as_str().into(),
            self.institution_id.into(),
            self.district.clone().into(),
            match grain {
                Grain::DistrictTotal => ALL_TRACKS,
                Grain::Institution | Grain::District => self.track.as_str(),
            }
            .into(),
            self.level.into(),
            date,
            shard.into(),
        ]
    }

    /// The same cell at district grain (institution id nil).
    pub fn district_grain(&self) -> Self {
        Self {
            institution_id: Uuid::nil(),
            ..self.clone()
        }
    }

    /// The cell of its district and day at [`Grain::DistrictTotal`]: every track and level
    /// alike (one track stands for all; its row stores [`ALL_TRACKS`]), so the cells of
    /// one district and day share one row.
    pub fn district_total(&self) -> Self {
        Self {
            institution_id: Uuid::nil(),
            track: Track::ALL[0],
            level: 0,
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

    /// Adds the changes to `batch`: breakdown cells at every grain, first the months'
    /// `stats_rollup` rows then the days' `stats_day` rows; the task's shard of each
    /// programme total; the day series. Each table's rows go in key order, and every
    /// write sends its batch with these tables in this order, so concurrent writers take
    /// the rows' locks in one order. Cells whose change is zero are not touched.
    pub fn write(self, batch: &mut Batch) {
        let mut days: BTreeMap<(Grain, Cell), Measures> = BTreeMap::new();
        let mut months: BTreeMap<(Grain, Cell), Measures> = BTreeMap::new();
        for (cell, m) in &self.stats {
            for (grain, cell) in [
                (Grain::District, cell.district_grain()),
                (Grain::Institution, cell.clone()),
                (Grain::DistrictTotal, cell.district_total()),
            ] {
                months
                    .entry((grain, cell.month_cell()))
                    .or_default()
                    .add_all(m);
                days.entry((grain, cell)).or_default().add_all(m);
            }
        }
        upsert_cells(batch, false, months);
        upsert_cells(batch, true, days);
        let shard = shard();
        batch.insert_rows(
            "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) \
             VALUES ",
            " ON CONFLICT (programme_id, track, shard) DO UPDATE SET \
             certified = programme_counter.certified + excluded.certified, \
             in_training = programme_counter.in_training + excluded.in_training",
            self.totals
                .into_iter()
                .filter(|(_, totals)| !totals.is_zero())
                .map(|((programme, track), totals)| {
                    vec![
                        programme.into(),
                        track.as_str().into(),
                        shard.into(),
                        int(totals.certified),
                        int(totals.in_training),
                    ]
                }),
        );
        batch.insert_rows(
            "INSERT INTO programme_day (programme_id, track, day, newly_certified) VALUES ",
            " ON CONFLICT (programme_id, track, day) DO UPDATE SET \
             newly_certified = programme_day.newly_certified + excluded.newly_certified",
            self.days
                .into_iter()
                .filter(|(_, n)| *n != 0)
                .map(|((programme, track, day), n)| {
                    vec![programme.into(), track.as_str().into(), day.into(), int(n)]
                }),
        );
    }
}

/// Adds `rows` to `stats_rollup` (months) or, `by_day`, to `stats_day`, in key order,
/// skipping zero changes.
fn upsert_cells(batch: &mut Batch, by_day: bool, rows: BTreeMap<(Grain, Cell), Measures>) {
    let (table, date) = if by_day {
        ("stats_day", "day")
    } else {
        ("stats_rollup", "month")
    };
    batch.insert_rows(
        &format!(
            "INSERT INTO {table} (grain, institution_id, district, track, level, {date}, \
             shard, enrolments, completions, trainees, certified_persons) VALUES "
        ),
        &format!(
            " ON CONFLICT (grain, institution_id, district, track, level, {date}, shard) \
             DO UPDATE SET \
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
    );
}

fn int(v: i64) -> Value {
    i32::try_from(v).unwrap_or(i32::MAX).into()
}

/// Folds the shards of the breakdown cells of days before `before` (`stats_day`) and of
/// months before its month (`stats_rollup`) into shard 0, inside the caller's
/// transaction; returns the rows folded.
pub async fn compact(db: &impl ConnectionTrait, before: NaiveDate) -> Result<u64, AppError> {
    let mut folded = 0;
    for (table, date, bound) in [
        ("stats_day", "day", Value::from(before)),
        ("stats_rollup", "month", Value::from(month_of(before))),
    ] {
        let key = format!("grain, institution_id, district, track, level, {date}");
        let past = format!("shard <> 0 AND {date} < ?");
        folded += sql::count(
            db,
            &format!("SELECT COUNT(*) FROM {table} WHERE {past}"),
            vec![bound.clone()],
        )
        .await?;
        sql::query(
            db,
            &format!(
                "INSERT INTO {table} ({key}, shard, enrolments, completions, trainees, \
                 certified_persons) SELECT {key}, 0, SUM(enrolments), SUM(completions), \
                 SUM(trainees), SUM(certified_persons) FROM {table} WHERE {past} \
                 GROUP BY {key} ON CONFLICT ({key}, shard) DO UPDATE SET \
                 enrolments = {table}.enrolments + excluded.enrolments, \
                 completions = {table}.completions + excluded.completions, \
                 trainees = {table}.trainees + excluded.trainees, \
                 certified_persons = {table}.certified_persons + excluded.certified_persons"
            ),
            vec![bound.clone()],
        )
        .await?;
        sql::query(
            db,
            &format!("DELETE FROM {table} WHERE {past}"),
            vec![bound],
        )
        .await?;
    }
    Ok(folded)
}
