//! The maintenance of the counts: each write path calls one function here (or in
//! [`super::certify`] for certificates) inside its own transaction, which updates the
//! per-person rows and collects the [`Deltas`] of the rollup cells, programme totals and
//! day series it changes.
//!
//! Each function first locks the person's `person_track` row, so two writers about the
//! same person and track run one after the other; cells are touched last, in key order,
//! so concurrent transactions cannot deadlock on them.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::cell::{Cell, Deltas, Measure, track};
use super::sql;
use crate::domain::{Track, month_of};
use crate::entity::{course, enrolment};
use crate::error::AppError;

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
    pub(super) first_certified_at: Option<DateTime<Utc>>,
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

/// Adds `delta` to the person's ENROLLED count on `track`, locking the row; returns the
/// new state.
pub(super) async fn bump_enrolled(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
    delta: i32,
) -> Result<PersonTrack, AppError> {
    let rows = sql::query(
        db,
        &format!(
            "UPDATE person_track SET enrolled_now = enrolled_now + ? \
             WHERE trainee_id = ? AND track = ? RETURNING {PERSON_TRACK_COLUMNS}"
        ),
        vec![delta.into(), trainee.into(), track.as_str().into()],
    )
    .await?;
    rows.first()
        .map(PersonTrack::read)
        .transpose()?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("person_track row missing")))
}

/// Locks the person's row on `track` (a write that changes nothing) and returns it: every
/// change about one person and track runs after the one before it.
pub(super) async fn lock_person_track(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
) -> Result<PersonTrack, AppError> {
    bump_enrolled(db, trainee, track, 0).await
}

/// A programme as one person's counts see it.
pub(super) struct ProgrammeState {
    pub(super) id: Uuid,
    pub(super) starts_on: NaiveDate,
    pub(super) ends_on: NaiveDate,
    /// The person is certified on the track within the period.
    pub(super) certified: bool,
}

impl ProgrammeState {
    pub(super) fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// Programmes with whether the person is certified on `track` in each.
pub(super) async fn programme_states(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
) -> Result<Vec<ProgrammeState>, AppError> {
    let rows = sql::query(
        db,
        "SELECT p.id, p.starts_on, p.ends_on, COALESCE(pp.certificates, 0) AS certificates \
         FROM programme p LEFT JOIN programme_person pp ON pp.programme_id = p.id \
         AND pp.trainee_id = ? AND pp.track = ?",
        vec![trainee.into(), track.as_str().into()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ProgrammeState {
                id: r.try_get("", "id")?,
                starts_on: r.try_get("", "starts_on")?,
                ends_on: r.try_get("", "ends_on")?,
                certified: r.try_get::<i32>("", "certificates")? > 0,
            })
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
    let track = track(&course.track)?;
    let state = bump_enrolled(db, e.trainee_id, track, -1).await?;
    if state.enrolled_now == 0 {
        for programme in programme_states(db, e.trainee_id, track).await? {
            if !programme.certified {
                deltas.in_training(programme.id, track, -1);
            }
        }
    }
    if let Some(on) = completed_on {
        deltas.stat(
            Cell::of_course(course, district, on)?,
            Measure::Completions,
            1,
        );
    }
    deltas.apply(db).await
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

pub(super) async fn certificate_cell(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Cell, AppError> {
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
        track: track(&row.try_get::<String>("", "track")?)?,
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
    let track = track(&course.track)?;
    let mut deltas = Deltas::default();
    let mut sorted: Vec<&enrolment::Model> = enrolments.iter().collect();
    sorted.sort_by_key(|e| e.trainee_id);
    let fresh = first_on_track(db, &sorted, track).await?;
    let fresh_set: HashSet<Uuid> = fresh.iter().copied().collect();
    let others: Vec<&enrolment::Model> = sorted
        .iter()
        .copied()
        .filter(|e| !fresh_set.contains(&e.trainee_id))
        .collect();
    let mut started = fresh;
    started.extend(again_on_track(db, &others, course, district, track, &mut deltas).await?);
    for e in &sorted {
        let cell = Cell::of_course(course, district, e.enrolled_on)?;
        if fresh_set.contains(&e.trainee_id) {
            deltas.stat(cell.clone(), Measure::Trainees, 1);
        }
        deltas.stat(cell, Measure::Enrolments, 1);
    }
    if !started.is_empty() {
        now_in_training(db, &started, track, &mut deltas).await?;
    }
    deltas.apply(db).await
}

/// Rows per multi-row statement of the batch functions.
const CHUNK: usize = 500;

/// Inserts the person-track row of each person enrolling on `track` for the first time;
/// returns those people (sorted input, so shared keys are locked in one order).
async fn first_on_track(
    db: &impl ConnectionTrait,
    sorted: &[&enrolment::Model],
    track: Track,
) -> Result<Vec<Uuid>, AppError> {
    let mut fresh = Vec::new();
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

/// Counts one more current enrolment of people already on `track`, re-attributing a
/// person to an enrolment earlier than the one they were counted by; returns the people
/// whose only current enrolment this now is (back in training).
async fn again_on_track(
    db: &impl ConnectionTrait,
    others: &[&enrolment::Model],
    course: &course::Model,
    district: &str,
    track: Track,
    deltas: &mut Deltas,
) -> Result<Vec<Uuid>, AppError> {
    let mut started = Vec::new();
    for chunk in others.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![track.as_str().into()];
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
    Ok(started)
}

/// People who `started` training on `track` are in training in every programme that
/// has not certified them on it.
async fn now_in_training(
    db: &impl ConnectionTrait,
    started: &[Uuid],
    track: Track,
    deltas: &mut Deltas,
) -> Result<(), AppError> {
    let programmes: Vec<Uuid> = sql::query(db, "SELECT id FROM programme", vec![])
        .await?
        .iter()
        .map(|r| r.try_get("", "id"))
        .collect::<Result<_, _>>()?;
    let mut certified: BTreeMap<Uuid, i64> = BTreeMap::new();
    for chunk in started.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut values: Vec<Value> = vec![track.as_str().into()];
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
        deltas.in_training(programme, track, n);
    }
    Ok(())
}
