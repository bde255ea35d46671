//! Admission to a course: the one write path of enrolment rows, used by `enrol`,
//! `enrolMany` and the roster import. Seats, the insert, ownership, the maintained counts
//! and the audit record are written here and nowhere else.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::counting::{Tally, Undo, sql};
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
/// `enrolMany`, …).
pub async fn admit(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    actor: &CurrentUser,
    action: &str,
    course: &course::Model,
    district: &str,
    trainees: &[Uuid],
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
    let (created, fresh) = insert(db, course, &candidates).await?;
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
        trainee::own_in(tally.records(), &people, course.institution_id);
        counting::enrolled_many(db, tally, &created, &fresh, course, district).await?;
        let undo = Undo {
            enrolled: created.iter().map(|e| e.id).collect(),
            ..Undo::default()
        };
        tally.touched(people, undo);
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
) -> Result<(Vec<enrolment::Model>, Vec<Uuid>), AppError> {
    let at = now();
    let mut rows: Vec<enrolment::Model> = trainees
        .iter()
        .map(|trainee_id| enrolment::Model {
            id: Uuid::now_v7(),
            trainee_id: *trainee_id,
            course_id: course.id,
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
        })
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
    let (list, mut values) = sql::values_list(
        &rows
            .iter()
            .map(|e| {
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
            })
            .collect::<Vec<_>>(),
    );
    values.push(counting::cell::track(&course.track)?.as_str().into());
    let text = format!(
        "WITH e AS (INSERT INTO enrolment (id, trainee_id, course_id, status, enrolled_at, \
         enrolled_on, created_at, updated_at) VALUES {list} \
         ON CONFLICT (trainee_id, course_id) DO NOTHING RETURNING id, trainee_id, enrolled_at), \
         t AS (INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
         first_enrolled_at) SELECT trainee_id, ?, 1, id, enrolled_at FROM e ORDER BY trainee_id \
         ON CONFLICT (trainee_id, track) DO NOTHING RETURNING trainee_id) \
         SELECT e.id, t.trainee_id AS fresh FROM e LEFT JOIN t ON t.trainee_id = e.trainee_id"
    );
    for row in sql::query(db, &text, values).await? {
        inserted.insert(row.try_get("", "id")?);
        if let Some(person) = row.try_get::<Option<Uuid>>("", "fresh")? {
            fresh.push(person);
        }
    }
    Ok(())
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

/// Enrolments of `course` held by any of `trainees`, by trainee.
pub async fn enrolments_of(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    trainees: &[Uuid],
) -> Result<HashMap<Uuid, enrolment::Model>, AppError> {
    let mut out = HashMap::new();
    for chunk in trainees.chunks(CHUNK) {
        for e in enrolment::Entity::find()
            .filter(enrolment::Column::CourseId.eq(course_id))
            .filter(enrolment::Column::TraineeId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(e.trainee_id, e);
        }
    }
    Ok(out)
}
