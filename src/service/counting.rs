//! Maintained counts: every write that changes a number updates these rows in its own
//! transaction, so `programmeProgress` and `stats` read a few rows instead of scanning.
//!
//! Rules (docs/counting.md has the reasoning):
//! - `person_track` holds, per person and track, the ENROLLED enrolments now and the
//!   enrolment and certificate the person is attributed to in breakdowns: the earliest by
//!   (time, id), the certificate among unrevoked ones.
//! - `stats_rollup` counts per cell (institution, track, level, month) and per
//!   (district, track, level, month); `trainees` and `certifiedPersons` count each person
//!   once per track, in the cell of the attributed enrolment or certificate.
//! - `programme_person`, `programme_counter` (sharded) and `programme_day` give a
//!   programme's distinct certified persons, persons in training and the daily series of
//!   newly certified persons.
//!
//! Each operation first locks the person's `person_track` row, so two writers about the
//! same person and track run one after the other; rollup rows are touched last, in key
//! order, so concurrent transactions cannot deadlock on them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

pub use super::recount::rebuild;
use super::sql;
use crate::domain::month_of;
use crate::entity::{certificate, course, enrolment};
use crate::error::AppError;

/// Shards of a programme counter: writers pick one at random, readers sum all.
pub const SHARDS: i32 = 16;
/// `stats_rollup.grain` of per-institution cells.
pub const GRAIN_INSTITUTION: &str = "INSTITUTION";
/// `stats_rollup.grain` of per-district cells (institution id is nil).
pub const GRAIN_DISTRICT: &str = "DISTRICT";

/// A breakdown cell at institution grain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    /// Institution.
    pub institution_id: Uuid,
    /// Its district.
    pub district: String,
    /// Track code.
    pub track: String,
    /// Skill level, 0 for none.
    pub level: i32,
    /// `YYYY-MM`.
    pub month: String,
}

impl Cell {
    fn of(course: &course::Model, district: &str, on: NaiveDate) -> Self {
        Self {
            institution_id: course.institution_id,
            district: district.to_owned(),
            track: course.track.clone(),
            level: course.level.unwrap_or(0),
            month: month_of(on),
        }
    }

    fn of_certificate(cert: &certificate::Model, district: &str) -> Self {
        Self {
            institution_id: cert.institution_id,
            district: district.to_owned(),
            track: cert.track.clone(),
            level: cert.level.unwrap_or(0),
            month: month_of(cert.issued_on),
        }
    }
}

/// Measures of a cell: enrolments, completions, trainees, certified persons.
pub type Measures = [i64; 4];
const ENROLMENTS: usize = 0;
const COMPLETIONS: usize = 1;
const TRAINEES: usize = 2;
const CERTIFIED: usize = 3;

/// Changes collected during one operation, written at its end in key order.
#[derive(Debug, Default)]
struct Deltas {
    stats: BTreeMap<Cell, Measures>,
    /// (programme, track) → [certified, in training].
    counters: BTreeMap<(Uuid, String), [i64; 2]>,
    /// (programme, track, day) → newly certified persons.
    days: BTreeMap<(Uuid, String, NaiveDate), i64>,
}

impl Deltas {
    fn stat(&mut self, cell: Cell, measure: usize, delta: i64) {
        self.stats.entry(cell).or_default()[measure] += delta;
    }

    fn counter(&mut self, programme: Uuid, track: &str, index: usize, delta: i64) {
        self.counters
            .entry((programme, track.to_owned()))
            .or_default()[index] += delta;
    }

    fn day(&mut self, programme: Uuid, track: &str, day: NaiveDate, delta: i64) {
        *self
            .days
            .entry((programme, track.to_owned(), day))
            .or_default() += delta;
    }

    async fn apply(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        // One global lock order for every writer: (grain, cell) key order.
        let mut rows: BTreeMap<(&str, Cell), Measures> = BTreeMap::new();
        for (cell, m) in &self.stats {
            let district = Cell {
                institution_id: Uuid::nil(),
                ..cell.clone()
            };
            for key in [
                (GRAIN_INSTITUTION, cell.clone()),
                (GRAIN_DISTRICT, district),
            ] {
                let sum = rows.entry(key).or_default();
                for (total, delta) in sum.iter_mut().zip(m) {
                    *total += delta;
                }
            }
        }
        for ((grain, cell), m) in rows.iter().filter(|(_, m)| m.iter().any(|v| *v != 0)) {
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
                vec![
                    (*grain).into(),
                    cell.institution_id.into(),
                    cell.district.clone().into(),
                    cell.track.clone().into(),
                    cell.level.into(),
                    cell.month.clone().into(),
                    int(m[ENROLMENTS]),
                    int(m[COMPLETIONS]),
                    int(m[TRAINEES]),
                    int(m[CERTIFIED]),
                ],
            )
            .await?;
        }
        for ((programme, track), [certified, in_training]) in self.counters {
            if certified == 0 && in_training == 0 {
                continue;
            }
            let shard = rand::random::<u32>() % SHARDS as u32;
            sql::query(
                db,
                "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (programme_id, track, shard) DO UPDATE SET \
                 certified = programme_counter.certified + excluded.certified, \
                 in_training = programme_counter.in_training + excluded.in_training",
                vec![
                    programme.into(),
                    track.into(),
                    (shard as i32).into(),
                    int(certified),
                    int(in_training),
                ],
            )
            .await?;
        }
        for ((programme, track, day), delta) in self.days {
            if delta == 0 {
                continue;
            }
            sql::query(
                db,
                "INSERT INTO programme_day (programme_id, track, day, newly_certified) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (programme_id, track, day) DO UPDATE SET \
                 newly_certified = programme_day.newly_certified + excluded.newly_certified",
                vec![programme.into(), track.into(), day.into(), int(delta)],
            )
            .await?;
        }
        Ok(())
    }
}

/// District of an institution: the cell of its courses' counts.
pub async fn district_of(db: &impl ConnectionTrait, institution: Uuid) -> Result<String, AppError> {
    let rows = sql::query(
        db,
        "SELECT district FROM institution WHERE id = ?",
        vec![institution.into()],
    )
    .await?;
    rows.first()
        .map(|r| r.try_get::<String>("", "district"))
        .transpose()?
        .ok_or_else(|| AppError::not_found("institution", institution))
}

fn int(v: i64) -> Value {
    i32::try_from(v).unwrap_or(i32::MAX).into()
}

/// The locked `person_track` row.
struct PersonTrack {
    enrolled_now: i32,
    first_enrolment_id: Uuid,
    first_enrolled_at: DateTime<Utc>,
    first_certificate_id: Option<Uuid>,
    first_certified_at: Option<DateTime<Utc>>,
}

const PERSON_TRACK_COLUMNS: &str = "enrolled_now, first_enrolment_id, first_enrolled_at, \
     first_certificate_id, first_certified_at";

impl PersonTrack {
    fn read(row: &QueryResult) -> Result<Self, AppError> {
        Ok(Self {
            enrolled_now: row.try_get("", "enrolled_now")?,
            first_enrolment_id: row.try_get("", "first_enrolment_id")?,
            first_enrolled_at: row.try_get("", "first_enrolled_at")?,
            first_certificate_id: row.try_get("", "first_certificate_id")?,
            first_certified_at: row.try_get("", "first_certified_at")?,
        })
    }
}

/// Adds `delta` to the person's ENROLLED count, locking the row; returns the new state.
async fn bump_enrolled(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: &str,
    delta: i32,
) -> Result<PersonTrack, AppError> {
    let rows = sql::query(
        db,
        &format!(
            "UPDATE person_track SET enrolled_now = enrolled_now + ? \
             WHERE trainee_id = ? AND track = ? RETURNING {PERSON_TRACK_COLUMNS}"
        ),
        vec![delta.into(), trainee.into(), track.into()],
    )
    .await?;
    rows.first()
        .map(PersonTrack::read)
        .transpose()?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("person_track row missing")))
}

/// Programmes with whether the person is certified on `track` in each.
async fn programme_states(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: &str,
) -> Result<Vec<(Uuid, NaiveDate, NaiveDate, bool)>, AppError> {
    let rows = sql::query(
        db,
        "SELECT p.id, p.starts_on, p.ends_on, COALESCE(pp.certificates, 0) AS certificates \
         FROM programme p LEFT JOIN programme_person pp ON pp.programme_id = p.id \
         AND pp.trainee_id = ? AND pp.track = ?",
        vec![trainee.into(), track.into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "id")?,
                r.try_get("", "starts_on")?,
                r.try_get("", "ends_on")?,
                r.try_get::<i32>("", "certificates")? > 0,
            ))
        })
        .collect()
}

/// An ENROLLED enrolment finished: completed (passed) on `completed_on`, failed or withdrawn.
pub async fn finished(
    db: &impl ConnectionTrait,
    e: &enrolment::Model,
    course: &course::Model,
    district: &str,
    completed_on: Option<NaiveDate>,
) -> Result<(), AppError> {
    let mut deltas = Deltas::default();
    let track = course.track.as_str();
    let state = bump_enrolled(db, e.trainee_id, track, -1).await?;
    if state.enrolled_now == 0 {
        for (programme, _, _, certified) in programme_states(db, e.trainee_id, track).await? {
            if !certified {
                deltas.counter(programme, track, 1, -1);
            }
        }
    }
    if let Some(on) = completed_on {
        deltas.stat(Cell::of(course, district, on), COMPLETIONS, 1);
    }
    deltas.apply(db).await
}

/// A certificate was issued (institution in `district`).
pub async fn certified(
    db: &impl ConnectionTrait,
    cert: &certificate::Model,
    district: &str,
) -> Result<(), AppError> {
    let mut deltas = Deltas::default();
    let track = cert.track.as_str();
    let state = bump_enrolled(db, cert.trainee_id, track, 0).await?;
    let earlier = match (state.first_certified_at, state.first_certificate_id) {
        (Some(at), Some(id)) => (cert.issued_at, cert.id) < (at, id),
        _ => true,
    };
    if earlier {
        if let Some(old) = state.first_certificate_id {
            deltas.stat(certificate_cell(db, old).await?, CERTIFIED, -1);
        }
        deltas.stat(Cell::of_certificate(cert, district), CERTIFIED, 1);
        set_first_certificate(db, cert.trainee_id, track, Some((cert.id, cert.issued_at))).await?;
    }
    for (programme, starts_on, ends_on, _) in programme_states(db, cert.trainee_id, track).await? {
        if cert.issued_on < starts_on || cert.issued_on > ends_on {
            continue;
        }
        let rows = sql::query(
            db,
            "UPDATE programme_person SET certificates = certificates + 1 \
             WHERE programme_id = ? AND trainee_id = ? AND track = ? RETURNING certificates, first_on",
            vec![programme.into(), cert.trainee_id.into(), track.into()],
        )
        .await?;
        let (count, first_on) = match rows.first() {
            Some(r) => (
                r.try_get::<i32>("", "certificates")?,
                r.try_get::<Option<NaiveDate>>("", "first_on")?,
            ),
            None => {
                sql::query(
                    db,
                    "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
                     VALUES (?, ?, ?, 1, NULL)",
                    vec![programme.into(), cert.trainee_id.into(), track.into()],
                )
                .await?;
                (1, None)
            }
        };
        if count == 1 {
            deltas.counter(programme, track, 0, 1);
            if state.enrolled_now > 0 {
                deltas.counter(programme, track, 1, -1);
            }
        }
        if let Some(old) = first_on
            && old <= cert.issued_on
        {
            continue;
        }
        if let Some(old) = first_on {
            deltas.day(programme, track, old, -1);
        }
        deltas.day(programme, track, cert.issued_on, 1);
        set_first_on(db, programme, cert.trainee_id, track, Some(cert.issued_on)).await?;
    }
    deltas.apply(db).await
}

/// A certificate was revoked (already marked so in `certificate`).
pub async fn revoked(
    db: &impl ConnectionTrait,
    cert: &certificate::Model,
    district: &str,
) -> Result<(), AppError> {
    let mut deltas = Deltas::default();
    let track = cert.track.as_str();
    let state = bump_enrolled(db, cert.trainee_id, track, 0).await?;
    if state.first_certificate_id == Some(cert.id) {
        deltas.stat(Cell::of_certificate(cert, district), CERTIFIED, -1);
        let next = earliest_certificate(db, cert.trainee_id, track).await?;
        if let Some((id, _)) = next {
            deltas.stat(certificate_cell(db, id).await?, CERTIFIED, 1);
        }
        set_first_certificate(db, cert.trainee_id, track, next).await?;
    }
    for (programme, starts_on, ends_on, _) in programme_states(db, cert.trainee_id, track).await? {
        if cert.issued_on < starts_on || cert.issued_on > ends_on {
            continue;
        }
        let rows = sql::query(
            db,
            "UPDATE programme_person SET certificates = certificates - 1 \
             WHERE programme_id = ? AND trainee_id = ? AND track = ? RETURNING certificates, first_on",
            vec![programme.into(), cert.trainee_id.into(), track.into()],
        )
        .await?;
        let Some(row) = rows.first() else { continue };
        let count: i32 = row.try_get("", "certificates")?;
        let first_on: Option<NaiveDate> = row.try_get("", "first_on")?;
        let next_first = if count == 0 {
            deltas.counter(programme, track, 0, -1);
            if state.enrolled_now > 0 {
                deltas.counter(programme, track, 1, 1);
            }
            None
        } else {
            earliest_in_period(db, cert.trainee_id, track, starts_on, ends_on).await?
        };
        if next_first != first_on {
            if let Some(old) = first_on {
                deltas.day(programme, track, old, -1);
            }
            if let Some(new) = next_first {
                deltas.day(programme, track, new, 1);
            }
            set_first_on(db, programme, cert.trainee_id, track, next_first).await?;
        }
    }
    deltas.apply(db).await
}

async fn set_first_certificate(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: &str,
    first: Option<(Uuid, DateTime<Utc>)>,
) -> Result<(), AppError> {
    sql::query(
        db,
        "UPDATE person_track SET first_certificate_id = ?, first_certified_at = ? \
         WHERE trainee_id = ? AND track = ?",
        vec![
            first.map(|f| f.0).into(),
            first.map(|f| f.1).into(),
            trainee.into(),
            track.into(),
        ],
    )
    .await
    .map(drop)
}

async fn set_first_on(
    db: &impl ConnectionTrait,
    programme: Uuid,
    trainee: Uuid,
    track: &str,
    first_on: Option<NaiveDate>,
) -> Result<(), AppError> {
    sql::query(
        db,
        "UPDATE programme_person SET first_on = ? WHERE programme_id = ? AND trainee_id = ? AND track = ?",
        vec![first_on.into(), programme.into(), trainee.into(), track.into()],
    )
    .await
    .map(drop)
}

async fn earliest_certificate(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: &str,
) -> Result<Option<(Uuid, DateTime<Utc>)>, AppError> {
    let rows = sql::query(
        db,
        "SELECT id, issued_at FROM certificate WHERE trainee_id = ? AND track = ? \
         AND revoked_at IS NULL ORDER BY issued_at, id LIMIT 1",
        vec![trainee.into(), track.into()],
    )
    .await?;
    rows.first()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "issued_at")?)))
        .transpose()
}

async fn earliest_in_period(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    let rows = sql::query(
        db,
        "SELECT issued_on FROM certificate WHERE trainee_id = ? AND track = ? \
         AND revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? ORDER BY issued_on LIMIT 1",
        vec![
            trainee.into(),
            track.into(),
            starts_on.into(),
            ends_on.into(),
        ],
    )
    .await?;
    rows.first()
        .map(|r| r.try_get::<NaiveDate>("", "issued_on"))
        .transpose()
        .map_err(Into::into)
}

async fn enrolment_cell(db: &impl ConnectionTrait, id: Uuid) -> Result<Cell, AppError> {
    cell_query(
        db,
        "SELECT c.institution_id, i.district, c.track, COALESCE(c.level, 0) AS level, \
         e.enrolled_on AS on_day FROM enrolment e JOIN course c ON c.id = e.course_id \
         JOIN institution i ON i.id = c.institution_id WHERE e.id = ?",
        id,
    )
    .await
}

async fn certificate_cell(db: &impl ConnectionTrait, id: Uuid) -> Result<Cell, AppError> {
    cell_query(
        db,
        "SELECT t.institution_id, i.district, t.track, COALESCE(t.level, 0) AS level, \
         t.issued_on AS on_day FROM certificate t JOIN institution i ON i.id = t.institution_id \
         WHERE t.id = ?",
        id,
    )
    .await
}

async fn cell_query(db: &impl ConnectionTrait, text: &str, id: Uuid) -> Result<Cell, AppError> {
    let rows = sql::query(db, text, vec![id.into()]).await?;
    let row = rows
        .first()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("attributed row {id} missing")))?;
    Ok(Cell {
        institution_id: row.try_get("", "institution_id")?,
        district: row.try_get("", "district")?,
        track: row.try_get("", "track")?,
        level: row.try_get("", "level")?,
        month: month_of(row.try_get("", "on_day")?),
    })
}

/// New enrolments of one course (one or a cohort), counted in a few set-based statements.
pub async fn enrolled_many(
    db: &impl ConnectionTrait,
    enrolments: &[enrolment::Model],
    course: &course::Model,
    district: &str,
) -> Result<(), AppError> {
    const CHUNK: usize = 500;
    let track = course.track.as_str();
    let mut deltas = Deltas::default();
    let mut sorted: Vec<&enrolment::Model> = enrolments.iter().collect();
    sorted.sort_by_key(|e| e.trainee_id);
    let mut fresh: Vec<Uuid> = Vec::new();
    for chunk in sorted.chunks(CHUNK) {
        let mut text = String::from(
            "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
             first_enrolled_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, e) in chunk.iter().enumerate() {
            text.push_str(if i == 0 {
                "(?, ?, 1, ?, ?)"
            } else {
                ", (?, ?, 1, ?, ?)"
            });
            values.extend([
                e.trainee_id.into(),
                track.into(),
                e.id.into(),
                e.enrolled_at.into(),
            ]);
        }
        text.push_str(" ON CONFLICT (trainee_id, track) DO NOTHING RETURNING trainee_id");
        for row in sql::query(db, &text, values).await? {
            fresh.push(row.try_get("", "trainee_id")?);
        }
    }
    let fresh_set: std::collections::HashSet<Uuid> = fresh.iter().copied().collect();
    let mut started: Vec<Uuid> = fresh.clone();
    let others: Vec<&enrolment::Model> = sorted
        .iter()
        .copied()
        .filter(|e| !fresh_set.contains(&e.trainee_id))
        .collect();
    for chunk in others.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![track.into()];
        values.extend(chunk.iter().map(|e| Value::from(e.trainee_id)));
        let rows = sql::query(
            db,
            &format!(
                "UPDATE person_track SET enrolled_now = enrolled_now + 1 WHERE track = ? \
                 AND trainee_id IN ({marks}) RETURNING trainee_id, {PERSON_TRACK_COLUMNS}"
            ),
            values,
        )
        .await?;
        for row in rows {
            let trainee: Uuid = row.try_get("", "trainee_id")?;
            let state = PersonTrack::read(&row)?;
            if state.enrolled_now == 1 {
                started.push(trainee);
            }
            let Some(e) = chunk.iter().find(|e| e.trainee_id == trainee) else {
                continue;
            };
            if (e.enrolled_at, e.id) < (state.first_enrolled_at, state.first_enrolment_id) {
                let old = enrolment_cell(db, state.first_enrolment_id).await?;
                deltas.stat(old, TRAINEES, -1);
                deltas.stat(Cell::of(course, district, e.enrolled_on), TRAINEES, 1);
                sql::query(
                    db,
                    "UPDATE person_track SET first_enrolment_id = ?, first_enrolled_at = ? \
                     WHERE trainee_id = ? AND track = ?",
                    vec![
                        e.id.into(),
                        e.enrolled_at.into(),
                        trainee.into(),
                        track.into(),
                    ],
                )
                .await?;
            }
        }
    }
    for e in &sorted {
        let cell = Cell::of(course, district, e.enrolled_on);
        if fresh_set.contains(&e.trainee_id) {
            deltas.stat(cell.clone(), TRAINEES, 1);
        }
        deltas.stat(cell, ENROLMENTS, 1);
    }
    if !started.is_empty() {
        let programmes: Vec<Uuid> = sql::query(db, "SELECT id FROM programme", vec![])
            .await?
            .iter()
            .map(|r| r.try_get("", "id"))
            .collect::<Result<_, _>>()?;
        let mut certified: BTreeMap<Uuid, i64> = BTreeMap::new();
        for chunk in started.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut values: Vec<Value> = vec![track.into()];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            for row in sql::query(
                db,
                &format!(
                    "SELECT programme_id FROM programme_person WHERE track = ? \
                     AND certificates > 0 AND trainee_id IN ({marks})"
                ),
                values,
            )
            .await?
            {
                *certified
                    .entry(row.try_get("", "programme_id")?)
                    .or_default() += 1;
            }
        }
        for programme in programmes {
            let n = started.len() as i64 - certified.get(&programme).copied().unwrap_or(0);
            deltas.counter(programme, track, 1, n);
        }
    }
    deltas.apply(db).await
}
