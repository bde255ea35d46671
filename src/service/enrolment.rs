//! Enrolments: enrol (idempotent, capacity-safe), complete (issues the certificate),
//! withdraw, and scoped reads.

pub mod at_once;
pub mod known;

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QueryResult, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::counting::{Finish, Tally, Undo, sql};
use super::results::{self, Assessment, Recorded, Refusal};
use super::sessions::{self, Unconfirmed};
use super::{access, admission, audit, counting, now};
use crate::auth::CurrentUser;
use crate::domain::{EnrolmentStatus, Title, ValidationError, programme_date};
use crate::entity::{course, enrolment};
use crate::error::AppError;

/// Result of [`enrol`].
#[derive(Debug)]
pub struct Enrolled {
    /// The enrolment, new or existing.
    pub enrolment: enrolment::Model,
    /// True when this call created it.
    pub created: bool,
}

/// The course of `id`, when the caller's institution runs it, and its district.
pub async fn own_course(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<(course::Model, String), AppError> {
    let (course, district, _) = course_for(db, actor, id, None).await?;
    Ok((course, district))
}

/// The read of a course, its institution's district (`owner_district`) and whether that
/// institution owns a trainee (`trainee_owned`): binds the trainee, then the course.
const COURSE_READ: &str = "SELECT course.*, institution.district AS owner_district, \
     EXISTS (SELECT 1 FROM trainee_institution o \
     WHERE o.trainee_id = ? AND o.institution_id = course.institution_id) AS trainee_owned \
     FROM course JOIN institution ON institution.id = course.institution_id \
     WHERE course.id = ?";

/// [`own_course`], and with `trainee` also whether the course's institution owns that
/// trainee (what [`super::trainee::get_visible`] tells an institution role): one read, so
/// that `enrol` on SQLite checks both before its transaction in a single round trip (on
/// PostgreSQL the same read is part of the insert: [`admission::read_and_insert`]).
async fn course_for(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: Uuid,
    trainee: Option<Uuid>,
) -> Result<(course::Model, String, bool), AppError> {
    let row = sql::query(
        db,
        COURSE_READ,
        vec![trainee.unwrap_or_else(Uuid::nil).into(), id.into()],
    )
    .await?
    .pop();
    checked(actor, id, row.as_ref())
}

/// The course of a [`COURSE_READ`] row (`None`: no such course), its district and whether
/// its institution owns the trainee, when the caller's institution runs it and it takes
/// enrolments at all (not the assessment behind a national certificate).
fn checked(
    actor: &CurrentUser,
    id: Uuid,
    row: Option<&QueryResult>,
) -> Result<(course::Model, String, bool), AppError> {
    let row = row.ok_or_else(|| AppError::not_found("course", id))?;
    let found = course::Model::from_query_result(row, "")?;
    access::require_owner(actor, found.institution_id, "course", id)?;
    if found.assessment {
        return Err(AppError::ConflictOn {
            field: "courseId",
            message: "is the assessment behind a national certificate: nobody enrols in it, \
                      and its result was recorded with the certificate",
        });
    }
    Ok((
        found,
        row.try_get("", "owner_district")?,
        row.try_get("", "trainee_owned")?,
    ))
}

/// Checks that `trainee` may be enrolled in `course` as read by [`checked`]: the course
/// still takes enrolments and its institution owns the trainee (`owned`), a trainee only
/// another institution knows being answered as an unknown id.
fn admissible(course: &course::Model, owned: bool, trainee: Uuid) -> Result<(), AppError> {
    require_open(course)?;
    if owned {
        Ok(())
    } else {
        Err(AppError::not_found("trainee", trainee))
    }
}

/// Checks that a course still takes enrolments (not past its last day).
pub fn require_open(course: &course::Model) -> Result<(), AppError> {
    match course.ends_on {
        Some(ends_on) if ends_on < programme_date(now()) => Err(AppError::validation(
            "courseId",
            ValidationError::InvalidFormat("names a course that has already ended"),
        )),
        _ => Ok(()),
    }
}

/// Enrols a trainee the caller's institution already owns in one of its courses.
/// Idempotent: a repeat returns the existing enrolment with `created: false`. Never
/// exceeds capacity. A trainee only another institution knows is answered as an unknown
/// id: a person is brought in by document (`registerTrainee`, `enrolMany`), never by id.
#[instrument(skip_all, fields(trainee.id = %trainee_id, course.id = %course_id))]
pub async fn enrol(
    db: &DatabaseConnection,
    known: &known::KnownCourses,
    actor: &CurrentUser,
    unconfirmed: Option<&Unconfirmed>,
    trainee_id: Uuid,
    course_id: Uuid,
) -> Result<Enrolled, AppError> {
    // On PostgreSQL a person new to the track of a course without a capacity is enrolled
    // in one statement outside a transaction (`at_once`), computed from the course as
    // remembered or else as read, unless that no longer holds; else, and for the rest, the
    // course is read by the statement that inserts the enrolment, in the transaction
    // (`admission::read_and_insert`), and a check that fails rolls it back. A caller
    // taken from memory (`unconfirmed`) is confirmed by that statement, or else looked up
    // before anything is read.
    if db.get_database_backend() == DbBackend::Postgres {
        let at_once = at_once::enrol(db, known, actor, unconfirmed, trainee_id, course_id);
        if let Some(enrolment) = at_once.await? {
            return Ok(Enrolled {
                enrolment,
                created: true,
            });
        }
    } else if let Some(session) = unconfirmed {
        sessions::confirm(db, session, actor).await?;
    }
    let mut tally = Tally::new();
    let (txn, course, district, inserted) = if db.get_database_backend() == DbBackend::Postgres {
        let txn = audit::write_transaction(db).await?;
        let institution = access::own_institution(actor).ok();
        let (row, inserted) = admission::read_and_insert(
            &txn,
            &mut tally,
            COURSE_READ,
            institution,
            course_id,
            trainee_id,
        )
        .await?
        .unzip();
        let (course, district, owned) = checked(actor, course_id, row.as_ref())?;
        admissible(&course, owned, trainee_id)?;
        (txn, course, district, inserted.flatten())
    } else {
        let (course, district, owned) = course_for(db, actor, course_id, Some(trainee_id)).await?;
        admissible(&course, owned, trainee_id)?;
        // IMMEDIATE on SQLite: an open course is not locked first (see `admission::hold`),
        // and a deferred transaction that read first could not take the write lock later.
        (audit::write_transaction(db).await?, course, district, None)
    };
    let course = admission::hold(&txn, &course).await?;
    let admitted = admission::admit(
        &txn,
        &mut tally,
        actor,
        "enrol",
        &course,
        &district,
        &[trainee_id],
        inserted,
    )
    .await?
    .pop()
    .flatten()
    .ok_or(AppError::CapacityFull)?;
    tally.send(&txn).await?;
    super::commit(txn).await?;
    Ok(Enrolled {
        enrolment: admitted.enrolment,
        created: admitted.created,
    })
}

/// The enrolment of `id` and its course, when the caller's institution runs the course.
async fn own_enrolment(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<(enrolment::Model, course::Model), AppError> {
    let (found, course) = enrolment::Entity::find_by_id(id)
        .find_also_related(course::Entity)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("enrolment", id))?;
    let course =
        course.ok_or_else(|| AppError::Internal(anyhow::anyhow!("enrolment without course")))?;
    access::require_owner(actor, course.institution_id, "enrolment", id)?;
    Ok((found, course))
}

/// Records the result of an enrolment through [`results::record`]: passing completes it
/// and issues its certificate in the same transaction; failing marks it FAILED. A finished
/// enrolment is a `CONFLICT`, whatever its result.
#[instrument(skip_all, fields(enrolment.id = %id, passed = assessment.passed))]
pub async fn complete(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
    assessment: Assessment,
) -> Result<enrolment::Model, AppError> {
    let (_, course) = own_enrolment(db, actor, id).await?;
    let district = counting::district_of(db, course.institution_id).await?;
    let txn = db.begin().await?;
    let course = admission::lock(&txn, course.id).await?;
    let current = enrolment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("enrolment", id))?;
    let outcome = results::record(
        &txn,
        actor,
        "completeEnrolment",
        &course,
        &district,
        vec![(current, assessment)],
    )
    .await?
    .pop();
    match outcome {
        Some(Ok(Recorded {
            changed: true,
            enrolment,
            ..
        })) => {
            super::commit(txn).await?;
            Ok(enrolment)
        }
        Some(Err(Refusal::Invalid(err))) => Err(err),
        _ => Err(AppError::Conflict("the enrolment is already finished")),
    }
}

/// Withdraws an ENROLLED trainee and frees the seat; a finished enrolment is a `CONFLICT`.
#[instrument(skip_all, fields(enrolment.id = %id))]
pub async fn withdraw(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
    reason: Option<Title>,
) -> Result<enrolment::Model, AppError> {
    let (before, course) = own_enrolment(db, actor, id).await?;
    let district = counting::district_of(db, course.institution_id).await?;
    let txn = db.begin().await?;
    // The course row first, as `enrol` takes it: a withdrawal and an enrolment of the same
    // pair would otherwise lock course and enrolment in opposite orders and deadlock on
    // PostgreSQL. (On SQLite this first write takes the write lock.)
    let course = admission::lock(&txn, course.id).await?;
    let at = now();
    let changed = enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::Status,
            Expr::value(EnrolmentStatus::Withdrawn.as_str()),
        )
        .col_expr(enrolment::Column::UpdatedAt, Expr::value(at))
        .col_expr(enrolment::Column::WithdrawnAt, Expr::value(at))
        .col_expr(
            enrolment::Column::WithdrawalReason,
            Expr::value(reason.map(|r| r.as_str().to_owned())),
        )
        .filter(enrolment::Column::Id.eq(id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(AppError::Conflict("the enrolment is already finished"));
    }
    let mut tally = Tally::new();
    tally.take_seats(&course, -1);
    let left = Finish {
        trainee_id: before.trainee_id,
        passed_on: None,
    };
    counting::finished(&txn, &mut tally, &course, &district, &[left]).await?;
    let undo = Undo {
        finished: HashSet::from([id]),
        ..Undo::default()
    };
    tally.touched([before.trainee_id], undo);
    audit::wrote_with(&mut tally, actor, "withdrawEnrolment", "enrolment", [id]);
    tally.send(&txn).await?;
    let updated = enrolment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("enrolment", id))?;
    super::commit(txn).await?;
    Ok(updated)
}

/// Enrolments of the given trainees, oldest first; only in `institution`'s courses when set.
pub async fn of_trainees(
    db: &impl ConnectionTrait,
    trainee_ids: &[Uuid],
    institution: Option<Uuid>,
) -> Result<Vec<enrolment::Model>, AppError> {
    let mut select = enrolment::Entity::find()
        .filter(enrolment::Column::TraineeId.is_in(trainee_ids.iter().copied()));
    if let Some(institution) = institution {
        select = select.filter(
            enrolment::Column::CourseId.in_subquery(
                Query::select()
                    .column(course::Column::Id)
                    .from(course::Entity)
                    .and_where(course::Column::InstitutionId.eq(institution))
                    .to_owned(),
            ),
        );
    }
    Ok(select.order_by_asc(enrolment::Column::Id).all(db).await?)
}
