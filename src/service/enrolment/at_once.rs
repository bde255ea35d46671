//! PostgreSQL: `enrol` of a person new to the course's track, into a course without a
//! capacity (the common case: a person's first course of a kind), in one statement and
//! no transaction, which writes the enrolment, the person's track, the seat, the audit
//! record and every count, and commits as it ends. What it is computed from (the
//! course, its district, the programmes) comes from a read just before it ([`read`]) or,
//! for a course `enrol` read before, from memory ([`recalled`]).
//!
//! The counts of such an enrolment depend only on that and on the person having no row
//! on the track ([`crate::service::counting::Tally::enrolled`]). The statement checks
//! each of them again as it runs, in its guard (`WITH g`: the course still without a
//! capacity, open, of the same institution, track, level and district, its institution
//! owning the trainee, the person without a row on the track, the programmes as many as
//! known), and inserts nothing anywhere when the guard finds no row. A row made
//! meanwhile, after the guard's snapshot, clashes with a unique key and fails the whole
//! statement. Either way nothing of it is written and the caller goes on as before
//! ([`super::enrol`]): it reads the course, or enrols in a transaction, which decides
//! afresh. Programmes are only ever added, and their period and counted kinds never
//! change; a programme's creation locks the enrolment table until it commits, so the
//! write sees it.
//!
//! One exchange with PostgreSQL in all for a remembered course and a remembered caller:
//! the guard then checks the caller's session too ([`sessions::LIVE`]), and when it
//! writes nothing the session is looked up ([`sessions::confirm`]) before anything else
//! is read or written. One after the session's lookup for a remembered course, two for
//! another, where the transaction takes four (`BEGIN`, read and insert, counts,
//! `COMMIT`). A write that found the guard true and was overtaken (a unique violation
//! on `enrolment` or `person_track`) shows in PostgreSQL's log as an `ERROR`: only when
//! another write of the same person came between its snapshot and its insert.

use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::known::KnownCourses;
use super::{COURSE_READ, admissible, checked, require_open};
use crate::auth::CurrentUser;
use crate::entity::{course, enrolment};
use crate::error::AppError;
use crate::service::access;
use crate::service::admission::{self, ENROLMENT_INSERT};
use crate::service::counting::day_changes::Period;
use crate::service::counting::sql::{self, Batch};
use crate::service::counting::{Tally, write::PERIOD_COLUMNS, write::periods_of};
use crate::service::now;
use crate::service::sessions::{self, Unconfirmed};

/// Enrols `trainee` in `course_id` in one statement, computed from the course as
/// remembered ([`recalled`]) or else as read ([`read`]); an error is the answer. `None`
/// when the enrolment takes a transaction (the course has a capacity, the person is on
/// its track already, or what the statement was computed from changed meanwhile). An
/// `unconfirmed` session is checked by the statement of a remembered course, and else
/// looked up first: when it is not `actor`'s any more, `SessionChanged` and nothing read.
pub async fn enrol(
    db: &impl ConnectionTrait,
    known: &KnownCourses,
    actor: &CurrentUser,
    unconfirmed: Option<&Unconfirmed>,
    trainee: Uuid,
    course_id: Uuid,
) -> Result<Option<enrolment::Model>, AppError> {
    if let Some(ready) = recalled(known, actor, trainee, course_id)
        && let Some(enrolment) = write(db, actor, unconfirmed, ready).await?
    {
        return Ok(Some(enrolment));
    }
    if let Some(session) = unconfirmed {
        sessions::confirm(db, session, actor).await?;
    }
    match read(db, known, actor, trainee, course_id).await? {
        Some(ready) => write(db, actor, None, ready).await,
        None => Ok(None),
    }
}

/// What the write is computed from: a course without a capacity that takes the
/// trainee, as read or remembered, and every programme.
#[derive(Debug)]
pub struct Ready {
    course: course::Model,
    district: String,
    trainee: Uuid,
    programmes: Vec<Period>,
}

/// The course of `course_id` as `enrol` last read it, when, as remembered, it has no
/// capacity and takes enrolments from the caller: anything else is read afresh.
fn recalled(
    known: &KnownCourses,
    actor: &CurrentUser,
    trainee: Uuid,
    course_id: Uuid,
) -> Option<Ready> {
    let (course, district, programmes) = known.recall(course_id)?;
    let takes = course.capacity.is_none()
        && !course.assessment
        && access::require_owner(actor, course.institution_id, "course", course_id).is_ok()
        && require_open(&course).is_ok();
    takes.then_some(Ready {
        course,
        district,
        trainee,
        programmes,
    })
}

/// Reads the course as `enrol` checks it, whether the trainee is on its track, and every
/// programme, in one statement, remembers the course in `known`, and makes `enrol`'s
/// checks (an error is the answer). `None` when the enrolment takes a transaction: the
/// course has a capacity, or the person is on its track already (enrolled in it, perhaps).
pub async fn read(
    db: &impl ConnectionTrait,
    known: &KnownCourses,
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
    let programmes = periods_of(&rows)?;
    known.remember(&course, &district, &programmes);
    admissible(&course, owned, trainee)?;
    let on_track: bool = match rows.first() {
        Some(row) => row.try_get("", "on_track")?,
        None => true,
    };
    Ok((course.capacity.is_none() && !on_track).then_some(Ready {
        course,
        district,
        trainee,
        programmes,
    }))
}

/// The write's guard: a row when everything [`Ready`] holds still holds (see the
/// module's documentation), and, for an unconfirmed caller, its session is live
/// ([`sessions::LIVE`]); then [`HOLD`].
const GUARD: &str = "SELECT c.id FROM course c JOIN institution i ON i.id = c.institution_id \
     WHERE c.id = ? AND c.capacity IS NULL AND NOT c.assessment AND c.institution_id = ? \
     AND c.track = ? AND c.level IS NOT DISTINCT FROM ? AND i.district = ? \
     AND (c.ends_on IS NULL OR c.ends_on >= ?) \
     AND EXISTS (SELECT 1 FROM trainee_institution o \
     WHERE o.trainee_id = ? AND o.institution_id = c.institution_id) \
     AND NOT EXISTS (SELECT 1 FROM person_track t \
     WHERE t.trainee_id = ? AND t.track = c.track) \
     AND (SELECT COUNT(*) FROM programme) = ?";

/// The end of [`GUARD`]: the course held shared until the write commits, so that a
/// write giving it a capacity waits for this one.
const HOLD: &str = " FOR KEY SHARE OF c";

/// Writes the enrolment [`read`] or [`recalled`] made ready, with everything it changes,
/// in one statement (see the module's documentation); `None` when what it was computed
/// from no longer holds, or the `unconfirmed` session of `actor` is not live, and
/// nothing was written.
pub async fn write(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    unconfirmed: Option<&Unconfirmed>,
    ready: Ready,
) -> Result<Option<enrolment::Model>, AppError> {
    let Ready {
        course,
        district,
        trainee,
        programmes,
    } = ready;
    let e = admission::new_enrolment(trainee, course.id, now());
    let mut tally = Tally::new();
    let programmes = tally.programmes_known(programmes);
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
    let mut guard: Vec<Value> = vec![
        course.id.into(),
        course.institution_id.into(),
        course.track.clone().into(),
        course.level.into(),
        district.into(),
        e.enrolled_on.into(),
        trainee.into(),
        trainee.into(),
        i64::try_from(programmes).unwrap_or(i64::MAX).into(),
    ];
    let guard_text = match unconfirmed {
        Some(session) => {
            guard.extend(sessions::live_values(session, actor));
            format!("{GUARD} AND {}{HOLD}", sessions::LIVE)
        }
        None => format!("{GUARD}{HOLD}"),
    };
    let mut head = Batch::default();
    head.insert_rows(
        &format!("{ENROLMENT_INSERT} VALUES "),
        " RETURNING id",
        std::iter::once(admission::inserted_values(&e)),
    );
    head.insert_rows(
        "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
         first_enrolled_at) VALUES ",
        "",
        std::iter::once(vec![
            trainee.into(),
            course.track.clone().into(),
            1i32.into(),
            e.id.into(),
            e.enrolled_at.into(),
        ]),
    );
    match tally.send_at_once(db, head, (guard_text, guard)).await {
        Ok(written) => Ok(written.then_some(e)),
        Err(err) if err.is_constraint_violation() => Ok(None),
        // The statement was its own commit: whether it committed is unknown, so the
        // request must not run again as if nothing had been written.
        Err(err) if err.is_connection_lost() => Err(AppError::Internal(
            anyhow::Error::new(err).context("enrol in one statement: the connection broke"),
        )),
        Err(err) => Err(err),
    }
}
