//! The maintenance of the counts: each write path calls one function here (or in
//! [`super::certify`] for certificates) inside its own transaction, which updates the
//! per-person rows and collects the [`Deltas`] of the rollup cells, programme totals and
//! day series it changes.
//!
//! Each function first locks the person's `person_track` row, so two writers about the
//! same person and track run one after the other; cells are touched last, in key order,
//! so concurrent transactions cannot deadlock on them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::cell::{Cell, Measure, track};
pub(super) use super::day_changes::Period;
use super::sql;
use super::tally::Tally;
use crate::domain::Track;
use crate::entity::{course, enrolment};
use crate::error::AppError;

/// People per multi-row statement: well under both engines' bind-parameter limits.
const CHUNK: usize = 2000;

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

/// The locked `person_track` row.
pub(super) struct PersonTrack {
    pub(super) enrolled_now: i32,
    pub(super) first_enrolment_id: Uuid,
    pub(super) first_enrolled_at: DateTime<Utc>,
    pub(super) first_certificate_id: Option<Uuid>,
}

const PERSON_TRACK_COLUMNS: &str =
    "enrolled_now, first_enrolment_id, first_enrolled_at, first_certificate_id";

impl PersonTrack {
    fn read(row: &QueryResult) -> Result<Self, AppError> {
        Ok(Self {
            enrolled_now: row.try_get("", "enrolled_now")?,
            first_enrolment_id: row.try_get("", "first_enrolment_id")?,
            first_enrolled_at: row.try_get("", "first_enrolled_at")?,
            first_certificate_id: row.try_get("", "first_certificate_id")?,
        })
    }
}

/// Adds `delta` to the ENROLLED count on `track` of each of `people` (distinct), locking
/// their rows in one statement per chunk; returns the new states by person.
pub(super) async fn bump_enrolled(
    db: &impl ConnectionTrait,
    people: &[Uuid],
    track: Track,
    delta: i32,
) -> Result<HashMap<Uuid, PersonTrack>, AppError> {
    let mut sorted = people.to_vec();
    sorted.sort_unstable();
    let mut out = HashMap::with_capacity(sorted.len());
    for chunk in sorted.chunks(CHUNK) {
        let mut values: Vec<Value> = vec![delta.into(), track.as_str().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let rows = sql::query(
            db,
            &format!(
                "UPDATE person_track SET enrolled_now = enrolled_now + ? WHERE track = ? \
                 AND trainee_id IN ({}) RETURNING trainee_id, {PERSON_TRACK_COLUMNS}",
                sql::marks(chunk.len())
            ),
            values,
        )
        .await?;
        for row in rows {
            out.insert(row.try_get("", "trainee_id")?, PersonTrack::read(&row)?);
        }
    }
    if out.len() != sorted.len() {
        return Err(AppError::Internal(anyhow::anyhow!(
            "person_track row missing"
        )));
    }
    Ok(out)
}

/// Locks the person's row on `track` (a write that changes nothing) and returns it: every
/// change about one person and track runs after the one before it.
pub(super) async fn lock_person_track(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
) -> Result<PersonTrack, AppError> {
    bump_enrolled(db, &[trainee], track, 0)
        .await?
        .remove(&trainee)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("person_track row missing")))
}

/// The columns of `programme` (as `p`) a [`Period`] is read from ([`period_of`]), named
/// apart from any other table's.
pub const PERIOD_COLUMNS: &str = "p.id AS programme_id, p.starts_on AS programme_starts_on, \
     p.ends_on AS programme_ends_on, p.counted_kinds AS programme_counted_kinds";

/// Every programme, with its period and counted kinds.
pub(super) async fn programmes(db: &impl ConnectionTrait) -> Result<Vec<Period>, AppError> {
    sql::query(
        db,
        &format!("SELECT {PERIOD_COLUMNS} FROM programme p"),
        vec![],
    )
    .await?
    .iter()
    .map(period_of)
    .collect()
}

/// The programme of a row holding [`PERIOD_COLUMNS`].
pub(super) fn period_of(r: &QueryResult) -> Result<Period, AppError> {
    Ok(Period {
        id: r.try_get("", "programme_id")?,
        starts_on: r.try_get("", "programme_starts_on")?,
        ends_on: r.try_get("", "programme_ends_on")?,
        kinds: super::day_changes::kinds_of(&r.try_get::<String>("", "programme_counted_kinds")?)?,
    })
}

/// The programmes of rows holding [`PERIOD_COLUMNS`] after a `LEFT JOIN` (a row without
/// one: none).
pub fn periods_of(rows: &[QueryResult]) -> Result<Vec<Period>, AppError> {
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        if row.try_get::<Option<Uuid>>("", "programme_id")?.is_some() {
            read.push(period_of(row)?);
        }
    }
    Ok(read)
}

/// Adds `sign` × each programme's number of `people` (distinct) not certified on `track`
/// in it to its in-training total, `known` being those of them with no certificate on the
/// track anywhere (first enrolled on it by this write: a certificate comes from an
/// enrolment on its track). The share of every programme waits in the tally for the
/// programmes, which the write reads with the people's rows ([`Tally::send`]).
async fn in_training_changed(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    track: Track,
    people: &[Uuid],
    known: &HashSet<Uuid>,
    sign: i64,
) -> Result<(), AppError> {
    if people.is_empty() {
        return Ok(());
    }
    let unknown: Vec<Uuid> = people
        .iter()
        .filter(|p| !known.contains(*p))
        .copied()
        .collect();
    for chunk in unknown.chunks(CHUNK) {
        let mut values: Vec<Value> = vec![track.as_str().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        for row in sql::query(
            db,
            &format!(
                "SELECT programme_id FROM programme_person WHERE track = ? \
                 AND certificates > 0 AND trainee_id IN ({})",
                sql::marks(chunk.len())
            ),
            values,
        )
        .await?
        {
            tally
                .deltas
                .in_training(row.try_get("", "programme_id")?, track, -sign);
        }
    }
    tally.in_training_everywhere(track, sign * people.len() as i64);
    Ok(())
}

/// An enrolment that left ENROLLED: whose, and its assessment day when it passed.
#[derive(Debug, Clone, Copy)]
pub struct Finish {
    /// The person.
    pub trainee_id: Uuid,
    /// The assessment day of a pass; `None` for a failure or a withdrawal.
    pub passed_on: Option<NaiveDate>,
}

/// Enrolments of `course` (one per person) left ENROLLED: completed, failed or withdrawn.
pub async fn finished(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    course: &course::Model,
    district: &str,
    rows: &[Finish],
) -> Result<(), AppError> {
    let track = track(&course.track)?;
    let people: Vec<Uuid> = rows.iter().map(|r| r.trainee_id).collect();
    let mut idle: Vec<Uuid> = bump_enrolled(db, &people, track, -1)
        .await?
        .into_iter()
        .filter(|(_, state)| state.enrolled_now == 0)
        .map(|(id, _)| id)
        .collect();
    idle.sort_unstable();
    in_training_changed(db, tally, track, &idle, &HashSet::new(), -1).await?;
    for on in rows.iter().filter_map(|r| r.passed_on) {
        tally.deltas.stat(
            Cell::of_course(course, district, on)?,
            Measure::Completions,
            1,
        );
    }
    Ok(())
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

/// The select list of a certificate's breakdown cell (`t`: certificate, `i`: its
/// institution), dated by its assessment day.
pub(super) const CERTIFICATE_CELL: &str = "SELECT t.institution_id, i.district, t.track, \
     COALESCE(t.level, 0) AS level, t.issued_on AS on_day";

pub(super) async fn certificate_cell(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Cell, AppError> {
    cell_query(
        db,
        &format!(
            "{CERTIFICATE_CELL} FROM certificate t JOIN institution i \
             ON i.id = t.institution_id WHERE t.id = ?"
        ),
        id,
    )
    .await
}

async fn cell_query(db: &impl ConnectionTrait, text: &str, id: Uuid) -> Result<Cell, AppError> {
    let rows = sql::query(db, text, vec![id.into()]).await?;
    let row = rows
        .first()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("attributed row {id} missing")))?;
    read_cell(row)
}

/// The cell of a row with `institution_id, district, track, level, on_day` columns.
pub(super) fn read_cell(row: &QueryResult) -> Result<Cell, AppError> {
    Ok(Cell {
        institution_id: row.try_get("", "institution_id")?,
        district: row.try_get("", "district")?,
        track: track(&row.try_get::<String>("", "track")?)?,
        level: row.try_get("", "level")?,
        day: row.try_get("", "on_day")?,
    })
}

/// Starts the `person_track` row of each enrolment's person (`sorted` by trainee) where
/// the person has none on the course's `track`; returns the people whose row this
/// inserted. (On PostgreSQL the enrolments' insert does this in the same statement.)
pub async fn start_tracks(
    db: &impl ConnectionTrait,
    sorted: &[enrolment::Model],
    track: Track,
) -> Result<Vec<Uuid>, AppError> {
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
                track.as_str().into(),
                e.id.into(),
                e.enrolled_at.into(),
            ]);
        }
        text.push_str(" ON CONFLICT (trainee_id, track) DO NOTHING RETURNING trainee_id");
        for row in sql::query(db, &text, values).await? {
            fresh.push(row.try_get("", "trainee_id")?);
        }
    }
    Ok(fresh)
}

/// New enrolments of one course (one or a cohort), counted in a few set-based statements;
/// `fresh`: the people whose `person_track` row on the course's track the enrolments'
/// insert started ([`start_tracks`]).
pub async fn enrolled_many(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    enrolments: &[enrolment::Model],
    fresh: &[Uuid],
    course: &course::Model,
    district: &str,
) -> Result<(), AppError> {
    let track = track(&course.track)?;
    let deltas = &mut tally.deltas;
    let mut sorted: Vec<&enrolment::Model> = enrolments.iter().collect();
    sorted.sort_by_key(|e| e.trainee_id);
    let fresh_set: HashSet<Uuid> = fresh.iter().copied().collect();
    let mut started: Vec<Uuid> = fresh.to_vec();
    let others: Vec<&enrolment::Model> = sorted
        .iter()
        .copied()
        .filter(|e| !fresh_set.contains(&e.trainee_id))
        .collect();
    for chunk in others.chunks(CHUNK) {
        let people: Vec<Uuid> = chunk.iter().map(|e| e.trainee_id).collect();
        for (trainee, state) in bump_enrolled(db, &people, track, 1).await? {
            if state.enrolled_now == 1 {
                started.push(trainee);
            }
            let Some(e) = chunk.iter().find(|e| e.trainee_id == trainee) else {
                continue;
            };
            if (e.enrolled_at, e.id) < (state.first_enrolled_at, state.first_enrolment_id) {
                let old = enrolment_cell(db, state.first_enrolment_id).await?;
                deltas.stat(old, Measure::Trainees, -1);
                deltas.stat(
                    Cell::of_course(course, district, e.enrolled_on)?,
                    Measure::Trainees,
                    1,
                );
                sql::query(
                    db,
                    "UPDATE person_track SET first_enrolment_id = ?, first_enrolled_at = ? \
                     WHERE trainee_id = ? AND track = ?",
                    vec![
                        e.id.into(),
                        e.enrolled_at.into(),
                        trainee.into(),
                        track.as_str().into(),
                    ],
                )
                .await?;
            }
        }
    }
    for e in &sorted {
        let cell = Cell::of_course(course, district, e.enrolled_on)?;
        if fresh_set.contains(&e.trainee_id) {
            deltas.stat(cell.clone(), Measure::Trainees, 1);
        }
        deltas.stat(cell, Measure::Enrolments, 1);
    }
    in_training_changed(db, tally, track, &started, &fresh_set, 1).await?;
    Ok(())
}
