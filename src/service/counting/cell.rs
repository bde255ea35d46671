//! The maintained counts' cells, typed: a breakdown cell and its four measures, a
//! programme's totals on a track, the day series, and the changes one write makes to
//! them, applied at the end of its transaction in one lock order.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::sql;
use crate::domain::{Track, month_of};
use crate::entity::{certificate, course};
use crate::error::AppError;

/// Shards of a programme's totals: writers pick one at random, readers sum all, so
/// concurrent certifications do not queue on one row.
pub const SHARDS: i32 = 16;

/// The grain of a `stats_rollup` row: per institution, or per district (institution id
/// nil), so a breakdown by district reads the district rows only.
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

    /// The grain of a stored spelling.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw {
            "INSTITUTION" => Ok(Self::Institution),
            "DISTRICT" => Ok(Self::District),
            other => Err(AppError::Internal(anyhow::anyhow!("unknown grain {other}"))),
        }
    }
}

/// A breakdown cell at institution grain.
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
    /// `YYYY-MM`.
    pub month: String,
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
            month: month_of(on),
        })
    }

    /// The cell of a certificate (issued by an institution in `district`).
    pub fn of_certificate(cert: &certificate::Model, district: &str) -> Result<Self, AppError> {
        Ok(Self {
            institution_id: cert.institution_id,
            district: district.to_owned(),
            track: track(&cert.track)?,
            level: cert.level.unwrap_or(0),
            month: month_of(cert.issued_on),
        })
    }

    /// A cell from a row with `institution_id, district, track, level, month` columns.
    pub fn read(row: &QueryResult) -> Result<Self, AppError> {
        Ok(Self {
            institution_id: row.try_get("", "institution_id")?,
            district: row.try_get("", "district")?,
            track: track(&row.try_get::<String>("", "track")?)?,
            level: row.try_get("", "level")?,
            month: row.try_get("", "month")?,
        })
    }

    /// The key columns of its `stats_rollup` row at `grain`, in table order (`grain,
    /// institution_id, district, track, level, month`).
    pub fn key_values(&self, grain: Grain) -> Vec<Value> {
        vec![
            grain.as_str().into(),
            self.institution_id.into(),
            self.district.clone().into(),
            self.track.as_str().into(),
            self.level.into(),
            self.month.clone().into(),
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

/// An integer column that is `int4` in a table but `int8` from an aggregate.
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

    /// Writes the changes: rollup cells at both grains in one global key order (so
    /// concurrent writers cannot deadlock), a random shard of each programme total, the
    /// day series. Cells whose change is zero are not touched.
    pub async fn apply(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let mut rows: BTreeMap<(Grain, Cell), Measures> = BTreeMap::new();
        for (cell, m) in &self.stats {
            rows.entry((Grain::District, cell.district_grain()))
                .or_default()
                .add_all(m);
            rows.entry((Grain::Institution, cell.clone()))
                .or_default()
                .add_all(m);
        }
        for ((grain, cell), m) in rows.iter().filter(|(_, m)| !m.is_zero()) {
            sql::query(
                db,
                "INSERT INTO stats_rollup (grain, institution_id, district, track, level, month, \
                 enrolments, completions, trainees, certified_persons) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (grain, institution_id, district, track, level, month) DO UPDATE SET \
                 enrolments = stats_rollup.enrolments + excluded.enrolments, \
                 completions = stats_rollup.completions + excluded.completions, \
                 trainees = stats_rollup.trainees + excluded.trainees, \
                 certified_persons = stats_rollup.certified_persons + excluded.certified_persons",
                [
                    cell.key_values(*grain),
                    vec![
                        int(m.enrolments),
                        int(m.completions),
                        int(m.trainees),
                        int(m.certified_persons),
                    ],
                ]
                .concat(),
            )
            .await?;
        }
        for ((programme, track), totals) in self.totals {
            if totals.is_zero() {
                continue;
            }
            let shard = rand::random::<u32>() % SHARDS.unsigned_abs();
            sql::query(
                db,
                "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (programme_id, track, shard) DO UPDATE SET \
                 certified = programme_counter.certified + excluded.certified, \
                 in_training = programme_counter.in_training + excluded.in_training",
                vec![
                    programme.into(),
                    track.as_str().into(),
                    i32::try_from(shard).unwrap_or(0).into(),
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

fn int(v: i64) -> Value {
    i32::try_from(v).unwrap_or(i32::MAX).into()
}
