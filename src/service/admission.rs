//! Admission to a course: the one write path of enrolment rows, used by `enrol`,
//! `enrolMany` and the roster import. Seats, the insert, ownership, the maintained counts
//! and the audit record are written here and nowhere else.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryResult, Set,
    Value,
};
use uuid::Uuid;

use super::counting::{Tally, sql};
use super::{audit, counting, now, trainee};
use crate::auth::CurrentUser;
use crate::domain::{EnrolmentStatus, programme_date};
use crate::entity::{course, enrolment};
use crate::error::AppError;

/// Rows per multi-row statement: well under both engines' bind-parameter limits.
const CHUNK: usize = 500;

/// The enrolment of one admitted person.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The enrolment, new or existing.
    pub enrolment: enrolment::Model,
    /// True when this admission created it.
    pub created: bool,
}

/// The course as an admission works with it (`read`: as read before the transaction).
/// A course with a capacity is locked first ([`lock`]): its free seats decide who is
/// admitted, so admissions to it run one after another. A course without one is not
/// locked here: nothing is decided from its count, which the write adds at its end with
/// the other counts, to one of the course's seat shards (`course_seat`) while it has no
/// capacity ([`Tally::send`]; should one have been set meanwhile, to its row as a course
/// with a capacity, or the write is refused as full), so admissions to one open course do
/// not wait for each other.
pub async fn hold(
    db: &impl ConnectionTrait,
    read: &course::Model,
) -> Result<course::Model, AppError> {
    if read.capacity.is_some() {
        lock(db, read.id).await
    } else {
        Ok(read.clone())
    }
}

/// Admits `trainees` (distinct persons the course's institution owns, or has just
/// registered) to `course`, inside the caller's transaction, `course` as [`hold`]
/// returned it in this transaction. A person already enrolled keeps the enrolment
/// (`created: false`); the others take free seats in input order; `None` for those left
/// without one. Capacity holds under concurrency: a course with a capacity is locked by
/// [`hold`] (on SQLite, whose transaction is IMMEDIATE, the write lock is held from the
/// start), so admissions to it run one after another; admissions to other courses do not
/// wait. A caller that must know the free seats before it decides whom to admit (a batch
/// registers only the people who get a seat) reads them from the held course.
///
/// The seats, ownership, counts and audit record go into `tally`, which the caller sends
/// before it commits; `action` names the operation in the audit trail (`enrol`,
/// `enrolMany`, …). `inserted` is the insert when the caller made it already, with its
/// read of the course ([`read_and_insert`], which admits only people the course's
/// institution owns, so no ownership is recorded for them).
#[expect(
    clippy::too_many_arguments,
    reason = "one write's context: the transaction, its tally and actor, the course and \
              whom to admit; grouping them would only move the list into a struct"
)]
pub async fn admit(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    actor: &CurrentUser,
    action: &str,
    course: &course::Model,
    district: &str,
    trainees: &[Uuid],
    inserted: Option<Inserted>,
) -> Result<Vec<Option<Admitted>>, AppError> {
    let free = free_seats(course);
    // With a seat for everyone, the insert itself tells who was enrolled already; else
    // those must be known first, since they take no seat.
    let mut existing = if free >= trainees.len() {
        HashMap::new()
    } else {
        enrolments_of(db, course.id, trainees).await?
    };
    let candidates: Vec<Uuid> = trainees
        .iter()
        .filter(|t| !existing.contains_key(*t))
        .take(free)
        .copied()
        .collect();
    let made_here = inserted.is_none();
    let (created, fresh) = match inserted {
        Some(inserted) => inserted,
        None => insert(db, course, &candidates).await?,
    };
    let created_ids: HashSet<Uuid> = created.iter().map(|e| e.trainee_id).collect();
    let missing: Vec<Uuid> = candidates
        .iter()
        .filter(|t| !created_ids.contains(*t))
        .copied()
        .collect();
    existing.extend(enrolments_of(db, course.id, &missing).await?);

    if !created.is_empty() {
        let people: Vec<Uuid> = created.iter().map(|e| e.trainee_id).collect();
        tally.take_seats(course, created.len() as i64);
        if made_here {
            trainee::own_in(tally.records(), &people, course.institution_id);
        }
        counting::enrolled_many(db, tally, &created, &fresh, course, district).await?;
        tally.enrolled(
            course,
            counting::cell::track(&course.track)?,
            &created,
            &fresh,
        );
        audit::wrote_with(
            tally,
            actor,
            action,
            "enrolment",
            created.iter().map(|e| e.id),
        );
    }
    let mut created: HashMap<Uuid, enrolment::Model> =
        created.into_iter().map(|e| (e.trainee_id, e)).collect();
    Ok(trainees
        .iter()
        .map(|t| match (created.remove(t), existing.remove(t)) {
            (Some(enrolment), _) => Some(Admitted {
                enrolment,
                created: true,
            }),
            (None, Some(enrolment)) => Some(Admitted {
                enrolment,
                created: false,
            }),
            (None, None) => None,
        })
        .collect())
}

/// What an insert of enrolments did: the enrolments it inserted (a pair enrolled already
/// is skipped by the unique key) and the people whose `person_track` row it started.
pub type Inserted = (Vec<enrolment::Model>, Vec<Uuid>);

/// PostgreSQL, one person into a course (`enrol`), inside the write's transaction: the
/// course as `course_read` reads it (a `SELECT` with two placeholders, the trainee then
/// the course, whose columns carry the course's and a `trainee_owned` flag), and in the
/// same statement, when the course has no capacity, is run by `institution`, is not an
/// assessment and its institution owns `trainee`, the enrolment inserted and the person's
/// track started as `insert` does: one round trip where the read before the
/// transaction and the insert in it took two. When it inserts, the statement also reads
/// every programme for the counts ([`Tally::programmes_read`]): a person it started on the
/// track needs nothing else read or taken ([`Tally::enrolled`]). Returns the course's row,
/// for the caller's checks (which roll the transaction back when they fail, the insert
/// with it), and the insert when it was made: `None` for a course with a capacity, which
/// is locked first ([`hold`]) and admitted into by [`admit`] as before. Nothing is
/// inserted into a course of another institution or for a person it does not own: the
/// insert's people are owned.
pub async fn read_and_insert(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    course_read: &str,
    institution: Option<Uuid>,
    course_id: Uuid,
    trainee: Uuid,
) -> Result<Option<(QueryResult, Option<Inserted>)>, AppError> {
    let e = new_enrolment(trainee, course_id, now());
    let text = format!(
        "WITH c AS ({course_read}), \
         e AS ({ENROLMENT_INSERT} SELECT {marks} FROM c \
         WHERE c.capacity IS NULL AND c.institution_id = ? AND NOT c.assessment \
         AND c.trainee_owned {ENROLMENT_CONFLICT}), \
         t AS ({}) \
         SELECT c.*, e.id AS inserted_id, t.trainee_id AS fresh, {} \
         FROM c LEFT JOIN e ON TRUE LEFT JOIN t ON TRUE \
         LEFT JOIN programme p ON e.id IS NOT NULL",
        track_start("c.track", "e, c"),
        counting::write::PERIOD_COLUMNS,
        marks = sql::marks(ENROLMENT_VALUES),
    );
    let mut values: Vec<Value> = vec![trainee.into(), course_id.into()];
    values.extend(inserted_values(&e));
    values.push(institution.into());
    let mut rows = sql::query(db, &text, values).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let capacity: Option<i32> = row.try_get("", "capacity")?;
    let inserted = if capacity.is_some() {
        None
    } else if row.try_get::<Option<Uuid>>("", "inserted_id")?.is_some() {
        tally.programmes_read(&rows)?;
        let fresh: Vec<Uuid> = row
            .try_get::<Option<Uuid>>("", "fresh")?
            .into_iter()
            .collect();
        Some((vec![e], fresh))
    } else {
        Some((Vec::new(), Vec::new()))
    };
    // The course's columns are alike on every row (one per programme when it inserted).
    Ok(Some((rows.swap_remove(0), inserted)))
}

/// Seats left in a course as [`lock`] returned it (`usize::MAX` without a capacity).
pub fn free_seats(course: &course::Model) -> usize {
    course.capacity.map_or(usize::MAX, |capacity| {
        usize::try_from(capacity.saturating_sub(course.enrolled_count)).unwrap_or(0)
    })
}

/// Locks the course row with a write and returns it as it stands under the lock: its
/// `enrolled_count` and `capacity` hold until the transaction ends.
pub async fn lock(db: &impl ConnectionTrait, course_id: Uuid) -> Result<course::Model, AppError> {
    course::Entity::update_many()
        .col_expr(course::Column::UpdatedAt, Expr::value(now()))
        .filter(course::Column::Id.eq(course_id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("course", course_id))
}

/// [`lock`], for a write that gives the course a capacity: on PostgreSQL it first takes
/// the row exclusively (`FOR UPDATE`), which waits for the admissions to the open course
/// still running (they hold it shared) and keeps new ones out, then folds the course's
/// seat shards into `enrolled_count`, so the course returned counts every seat taken.
pub async fn lock_seats(
    db: &impl ConnectionTrait,
    course_id: Uuid,
) -> Result<course::Model, AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        sql::query(
            db,
            "SELECT id FROM course WHERE id = ? FOR UPDATE",
            vec![course_id.into()],
        )
        .await?;
    }
    let mut folded: i64 = 0;
    for row in sql::query(
        db,
        "DELETE FROM course_seat WHERE course_id = ? RETURNING taken",
        vec![course_id.into()],
    )
    .await?
    {
        folded += i64::from(row.try_get::<i32>("", "taken")?);
    }
    if folded != 0 {
        sql::query(
            db,
            "UPDATE course SET enrolled_count = enrolled_count + ? WHERE id = ?",
            vec![
                i32::try_from(folded).unwrap_or(i32::MAX).into(),
                course_id.into(),
            ],
        )
        .await?;
    }
    lock(db, course_id).await
}

/// Inserts an ENROLLED enrolment of `course` for each of `trainees` and starts the
/// person's `person_track` row where it has none; returns the enrolments inserted (a pair
/// enrolled already is skipped by the unique key) and the people whose track this
/// started. Rows go in trainee order, so `person_track` rows are taken in key order.
async fn insert(
    db: &impl ConnectionTrait,
    course: &course::Model,
    trainees: &[Uuid],
) -> Result<Inserted, AppError> {
    let at = now();
    let mut rows: Vec<enrolment::Model> = trainees
        .iter()
        .map(|trainee_id| new_enrolment(*trainee_id, course.id, at))
        .collect();
    rows.sort_by_key(|e| e.trainee_id);
    if db.get_database_backend() == DbBackend::Postgres {
        let mut inserted = HashSet::new();
        let mut fresh = Vec::new();
        for chunk in rows.chunks(CHUNK) {
            insert_started(db, course, chunk, &mut inserted, &mut fresh).await?;
        }
        rows.retain(|e| inserted.contains(&e.id));
        return Ok((rows, fresh));
    }
    let mut inserted = HashSet::new();
    for chunk in rows.chunks(CHUNK) {
        let keys = enrolment::Entity::insert_many(chunk.iter().cloned().map(active))
            .on_conflict(
                OnConflict::columns([enrolment::Column::TraineeId, enrolment::Column::CourseId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_with_returning_keys(db)
            .await;
        match keys {
            Ok(keys) => inserted.extend(keys),
            Err(DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err.into()),
        }
    }
    rows.retain(|e| inserted.contains(&e.id));
    let fresh = counting::start_tracks(db, &rows, counting::cell::track(&course.track)?).await?;
    Ok((rows, fresh))
}

/// PostgreSQL: inserts `rows` (new ENROLLED enrolments, in trainee order) and, for those
/// inserted, starts the person's `person_track` row where it has none, in one statement;
/// adds the inserted enrolments' ids to `inserted` and the people whose track started to
/// `fresh`.
async fn insert_started(
    db: &impl ConnectionTrait,
    course: &course::Model,
    rows: &[enrolment::Model],
    inserted: &mut HashSet<Uuid>,
    fresh: &mut Vec<Uuid>,
) -> Result<(), AppError> {
    let (list, mut values) =
        sql::values_list(&rows.iter().map(inserted_values).collect::<Vec<_>>());
    values.push(counting::cell::track(&course.track)?.as_str().into());
    let text = format!(
        "WITH e AS ({ENROLMENT_INSERT} VALUES {list} {ENROLMENT_CONFLICT}), t AS ({}) \
         SELECT e.id, t.trainee_id AS fresh FROM e LEFT JOIN t ON t.trainee_id = e.trainee_id",
        track_start("?", "e"),
    );
    for row in sql::query(db, &text, values).await? {
        inserted.insert(row.try_get("", "id")?);
        if let Some(person) = row.try_get::<Option<Uuid>>("", "fresh")? {
            fresh.push(person);
        }
    }
    Ok(())
}

/// The insert of new enrolments, before its rows ([`inserted_values`] each).
pub(super) const ENROLMENT_INSERT: &str = "INSERT INTO enrolment (id, trainee_id, course_id, status, \
     enrolled_at, enrolled_on, created_at, updated_at)";

/// The values of a row of [`ENROLMENT_INSERT`].
const ENROLMENT_VALUES: usize = 8;

/// After [`ENROLMENT_INSERT`]'s rows: a pair enrolled already is skipped; the inserted
/// rows return what [`track_start`] reads.
const ENROLMENT_CONFLICT: &str = "ON CONFLICT (trainee_id, course_id) DO NOTHING \
     RETURNING id, trainee_id, enrolled_at";

/// A new enrolment's values, in [`ENROLMENT_INSERT`]'s column order.
pub(super) fn inserted_values(e: &enrolment::Model) -> Vec<Value> {
    vec![
        e.id.into(),
        e.trainee_id.into(),
        e.course_id.into(),
        e.status.clone().into(),
        e.enrolled_at.into(),
        e.enrolled_on.into(),
        e.created_at.into(),
        e.updated_at.into(),
    ]
}

/// The insert starting the `person_track` row (on `track`, an SQL expression) of each
/// person of the enrolments `e` (in `from`, which names `e`) inserted, where the person
/// has none; returns those people.
fn track_start(track: &str, from: &str) -> String {
    format!(
        "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
         first_enrolled_at) SELECT e.trainee_id, {track}, 1, e.id, e.enrolled_at FROM {from} \
         ORDER BY e.trainee_id ON CONFLICT (trainee_id, track) DO NOTHING RETURNING trainee_id"
    )
}

/// A new ENROLLED enrolment of `trainee` in `course`, made `at`.
pub(super) fn new_enrolment(
    trainee: Uuid,
    course: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> enrolment::Model {
    enrolment::Model {
        id: Uuid::now_v7(),
        trainee_id: trainee,
        course_id: course,
        status: EnrolmentStatus::Enrolled.as_str().to_owned(),
        enrolled_at: at,
        enrolled_on: programme_date(at),
        completed_at: None,
        completed_on: None,
        score: None,
        assessed_on: None,
        withdrawn_at: None,
        withdrawal_reason: None,
        created_at: at,
        updated_at: at,
    }
}

fn active(e: enrolment::Model) -> enrolment::ActiveModel {
    enrolment::ActiveModel {
        id: Set(e.id),
        trainee_id: Set(e.trainee_id),
        course_id: Set(e.course_id),
        status: Set(e.status),
        enrolled_at: Set(e.enrolled_at),
        enrolled_on: Set(e.enrolled_on),
        completed_at: Set(e.completed_at),
        completed_on: Set(e.completed_on),
        score: Set(e.score),
        assessed_on: Set(e.assessed_on),
        withdrawn_at: Set(e.withdrawn_at),
        withdrawal_reason: Set(e.withdrawal_reason),
        created_at: Set(e.created_at),
        updated_at: Set(e.updated_at),
    }
}

/// Enrolments of `course` held by any of `trainees`, by trainee: each person looked up by
/// the enrolment's (trainee, course) key. (As `course_id = ? AND trainee_id IN (…)`,
/// PostgreSQL's generic plan could scan the course's enrolments and test each against the
/// whole list: 10,000 people of a 10,000-strong course took 2 s instead of 0.1 s.)
pub async fn enrolments_of(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    trainees: &[Uuid],
) -> Result<HashMap<Uuid, enrolment::Model>, AppError> {
    let mut out = HashMap::new();
    for chunk in trainees.chunks(CHUNK) {
        let mut values: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
        values.push(course_id.into());
        let list = vec!["(?)"; chunk.len()].join(", ");
        let text = format!(
            "SELECT e.* FROM (VALUES {list}) v JOIN enrolment e \
             ON e.trainee_id = v.column1 AND e.course_id = ?"
        );
        for e in enrolment::Entity::find()
            .from_raw_sql(sql::statement(db, &text, values))
            .all(db)
            .await?
        {
            out.insert(e.trainee_id, e);
        }
    }
    Ok(out)
}
