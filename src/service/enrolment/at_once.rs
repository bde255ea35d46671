//! PostgreSQL: `enrol` of a person new to the course's track, into a course without a
//! capacity (the common case: a person's first course of a kind), in two statements and
//! no transaction: a read, then one statement that writes the enrolment, the person's
//! track, the seat, the audit record and every count, and commits as it ends.
//!
//! The counts of such an enrolment depend only on what the read returns (the course, its
//! district, the programmes) and on the person having no row on the track
//! ([`crate::service::counting::Tally::enrolled`]). The write checks each of them again
//! as it runs, and any that no longer holds fails the whole statement on a constraint,
//! so nothing of it is written: the course (still without a capacity, open, of the same
//! institution, track and district, owning the trainee, and the programmes as many as
//! read) or the enrolment's course is NULL; the person's track row and the enrolment are
//! inserted without `ON CONFLICT`, so a row made meanwhile clashes with its unique key.
//! The caller then enrols in a transaction as before ([`super::enrol`]), which decides
//! afresh. Programmes are only ever added, and their period and counted kinds never
//! change; a programme's creation locks the enrolment table until it commits, so the
//! write sees it.
//!
//! Two exchanges with PostgreSQL after the session's, where the transaction took four
//! (`BEGIN`, read and insert, counts, `COMMIT`). A write found outdated shows in
//! PostgreSQL's log as an `ERROR` (a NOT NULL or unique violation on `enrolment` or
//! `person_track`): only when another write came between the two statements.

use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::{COURSE_READ, admissible, checked};
use crate::auth::CurrentUser;
use crate::entity::{course, enrolment};
use crate::error::AppError;
use crate::service::admission::{self, ENROLMENT_INSERT};
use crate::service::counting::sql::{self, Batch};
use crate::service::counting::{Tally, write::PERIOD_COLUMNS};
use crate::service::now;

/// What [`read`] found: a course without a capacity that takes the trainee, who has no
/// row on its track, and every programme.
#[derive(Debug)]
pub struct Ready {
    course: course::Model,
    district: String,
    trainee: Uuid,
    rows: Vec<QueryResult>,
}

/// Reads the course as `enrol` checks it, whether the trainee is on its track, and every
/// programme, in one statement, and makes `enrol`'s checks (an error is the answer).
/// `None` when the enrolment takes a transaction: the course has a capacity, or the
/// person is on its track already (enrolled in it, perhaps).
pub async fn read(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    trainee: Uuid,
    course_id: Uuid,
) -> Result<Option<Ready>, AppError> {
    let text = format!(
        "SELECT c.*, EXISTS (SELECT 1 FROM person_track t \
         WHERE t.trainee_id = ? AND t.track = c.track) AS on_track, {PERIOD_COLUMNS} \
         FROM ({COURSE_READ}) c LEFT JOIN programme p ON TRUE"
    );
    let rows = sql::query(
        db,
        &text,
        vec![trainee.into(), trainee.into(), course_id.into()],
    )
    .await?;
    let (course, district, owned) = checked(actor, course_id, rows.first())?;
    admissible(&course, owned, trainee)?;
    let on_track: bool = match rows.first() {
        Some(row) => row.try_get("", "on_track")?,
        None => true,
    };
    Ok((course.capacity.is_none() && !on_track).then_some(Ready {
        course,
        district,
        trainee,
        rows,
    }))
}

/// Writes the enrolment [`read`] made ready, with everything it changes, in one
/// statement (see the module's documentation); `None` when what it was computed from
/// changed meanwhile, and nothing was written.
pub async fn write(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    ready: Ready,
) -> Result<Option<enrolment::Model>, AppError> {
    let Ready {
        course,
        district,
        trainee,
        rows,
    } = ready;
    let e = admission::new_enrolment(trainee, course.id, now());
    let mut tally = Tally::new();
    let programmes = tally.programmes_read(&rows)?;
    // Given the insert (to be made), `admit` reads nothing: the person is new to the track.
    admission::admit(
        db,
        &mut tally,
        actor,
        "enrol",
        &course,
        &district,
        &[trainee],
        Some((vec![e.clone()], vec![trainee])),
    )
    .await?;
    let mut head = Batch::default();
    let mut values = admission::inserted_values(&e);
    let guard: Vec<Value> = vec![
        course.id.into(),
        course.institution_id.into(),
        course.track.clone().into(),
        district.into(),
        e.enrolled_on.into(),
        trainee.into(),
        i64::try_from(programmes).unwrap_or(i64::MAX).into(),
    ];
    values.splice(2..3, guard);
    head.push(
        format!(
            "{ENROLMENT_INSERT} VALUES (?, ?, (SELECT c.id FROM course c \
             JOIN institution i ON i.id = c.institution_id WHERE c.id = ? \
             AND c.capacity IS NULL AND NOT c.assessment AND c.institution_id = ? \
             AND c.track = ? AND i.district = ? AND (c.ends_on IS NULL OR c.ends_on >= ?) \
             AND EXISTS (SELECT 1 FROM trainee_institution o \
             WHERE o.trainee_id = ? AND o.institution_id = c.institution_id) \
             AND (SELECT COUNT(*) FROM programme) = ? FOR KEY SHARE OF c), \
             ?, ?, ?, ?, ?) RETURNING id"
        ),
        values,
    );
    head.push(
        "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
         first_enrolled_at) VALUES (?, ?, 1, ?, ?)"
            .to_owned(),
        vec![
            trainee.into(),
            course.track.clone().into(),
            e.id.into(),
            e.enrolled_at.into(),
        ],
    );
    match tally.send_at_once(db, head).await {
        Ok(()) => Ok(Some(e)),
        Err(err) if err.is_constraint_violation() => Ok(None),
        // The statement was its own commit: whether it committed is unknown, so the
        // request must not run again as if nothing had been written.
        Err(err) if err.is_connection_lost() => Err(AppError::Internal(
            anyhow::Error::new(err).context("enrol in one statement: the connection broke"),
        )),
        Err(err) => Err(err),
    }
}
