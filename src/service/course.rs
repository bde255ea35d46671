//! Courses: opened by an institution's admin, read within the institution or by the city.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::counting::sql;
use super::page::{self, Page, PageRequest};
use super::{access, admission, enrolment, now};
use crate::auth::CurrentUser;
use crate::domain::{
    Capacity, CourseLevel, DateSpan, Hours, Role, SkillLevel, SkillSubtype, Title, Track,
    ValidationError,
};
use crate::entity::course;
use crate::error::{AppError, OnField};

/// Input of [`create`].
#[derive(Debug)]
pub struct NewCourse {
    /// Owning institution; must be the caller's.
    pub institution_id: Uuid,
    /// Course title.
    pub title: Title,
    /// HOST or PROFESSIONAL.
    pub track: Track,
    /// Vocational skill level, when the course leads to one.
    pub level: Option<CourseLevel>,
    /// Teaching hours.
    pub hours: Hours,
    /// Seats; unlimited when `None`.
    pub capacity: Option<Capacity>,
    /// First and last day.
    pub dates: DateSpan,
    /// The sub-type (工种) it trains for.
    pub subtype: Option<SkillSubtype>,
}

/// Filters of [`list`].
#[derive(Debug, Default)]
pub struct CourseFilter {
    /// Only this institution's courses.
    pub institution_id: Option<Uuid>,
    /// Only this track.
    pub track: Option<Track>,
}

/// Opens a course (INSTITUTION_ADMIN of the institution).
#[instrument(skip_all, fields(institution.id = %input.institution_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewCourse,
) -> Result<course::Model, AppError> {
    if actor.role != Role::InstitutionAdmin {
        return Err(AppError::Forbidden);
    }
    access::require_institution(actor, input.institution_id)?;
    if let Some(subtype) = input.subtype {
        check_subtype(subtype, input.track, input.level.map(|l| l.get()))?;
    }
    let at = now();
    let txn = db.begin().await?;
    let created = course::ActiveModel {
        id: Set(Uuid::now_v7()),
        institution_id: Set(input.institution_id),
        title: Set(input.title.as_str().to_owned()),
        track: Set(input.track.as_str().to_owned()),
        level: Set(input.level.map(|l| i32::from(l.get()))),
        hours: Set(input.hours.get()),
        capacity: Set(input.capacity.map(|c| c.get())),
        starts_on: Set(input.dates.starts_on()),
        ends_on: Set(input.dates.ends_on()),
        enrolled_count: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        subtype: Set(input.subtype.map(|s| s.as_str().to_owned())),
        assessment: Set(false),
    }
    .insert(&txn)
    .await?;
    super::audit::wrote(&txn, actor, "createCourse", "course", [created.id]).await?;
    super::commit(txn).await?;
    Ok(created)
}

/// Courses the caller may read: all for city roles, the own institution's otherwise.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: CourseFilter,
    page: PageRequest,
) -> Result<Page<course::Model>, AppError> {
    // An assessment course stands behind one national credential; nobody enrols in it.
    let mut select = course::Entity::find().filter(course::Column::Assessment.eq(false));
    if let Some(own) = access::read_scope(actor)? {
        select = select.filter(course::Column::InstitutionId.eq(own));
    }
    if let Some(id) = filter.institution_id {
        select = select.filter(course::Column::InstitutionId.eq(id));
    }
    if let Some(track) = filter.track {
        select = select.filter(course::Column::Track.eq(track.as_str()));
    }
    page::fetch(db, select, course::Column::Id, page).await
}

/// Changes of [`update`]: `None` leaves a field as it is; for the capacity and the dates
/// `Some(None)` clears it (no seat limit, an open start or end).
#[derive(Debug, Default)]
pub struct CourseChanges {
    /// New title.
    pub title: Option<Title>,
    /// New teaching hours.
    pub hours: Option<Hours>,
    /// New seat limit.
    pub capacity: Option<Option<Capacity>>,
    /// New first day.
    pub starts_on: Option<Option<NaiveDate>>,
    /// New last day.
    pub ends_on: Option<Option<NaiveDate>>,
    /// New sub-type (工种).
    pub subtype: Option<Option<SkillSubtype>>,
}

/// Corrects a course of the caller's institution (INSTITUTION_ADMIN). The track, level
/// and institution never change, so no count moves. A capacity below the seats already
/// taken is `CONFLICT` on `capacity`, judged under the course's lock so that a racing
/// enrolment cannot slip in between.
#[instrument(skip_all, fields(course.id = %course_id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    course_id: Uuid,
    changes: CourseChanges,
) -> Result<course::Model, AppError> {
    if actor.role != Role::InstitutionAdmin {
        return Err(AppError::Forbidden);
    }
    enrolment::own_course(db, actor, course_id).await?;
    let txn = db.begin().await?;
    let course = if matches!(changes.capacity, Some(Some(_))) {
        admission::lock_seats(&txn, course_id).await?
    } else {
        admission::lock(&txn, course_id).await?
    };
    let dates = DateSpan::parse(
        changes.starts_on.unwrap_or(course.starts_on),
        changes.ends_on.unwrap_or(course.ends_on),
    )
    .on(if changes.ends_on.is_some() {
        "endsOn"
    } else {
        "startsOn"
    })?;
    if let Some(Some(capacity)) = changes.capacity
        && capacity.get() < course.enrolled_count
    {
        return Err(AppError::ConflictOn {
            field: "capacity",
            message: "is below the number of seats already taken",
        });
    }
    if let Some(Some(subtype)) = changes.subtype {
        let track: Track = course
            .track
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored track")))?;
        let level = course.level.and_then(|l| u8::try_from(l).ok());
        check_subtype(subtype, track, level)?;
    }
    let mut row: course::ActiveModel = course.into();
    if let Some(title) = changes.title {
        row.title = Set(title.as_str().to_owned());
    }
    if let Some(hours) = changes.hours {
        row.hours = Set(hours.get());
    }
    if let Some(subtype) = changes.subtype {
        row.subtype = Set(subtype.map(|s| s.as_str().to_owned()));
    }
    if let Some(capacity) = changes.capacity {
        row.capacity = Set(capacity.map(|c| c.get()));
    }
    row.starts_on = Set(dates.starts_on());
    row.ends_on = Set(dates.ends_on());
    row.updated_at = Set(now());
    let updated = row.update(&txn).await?;
    super::audit::wrote(&txn, actor, "updateCourse", "course", [updated.id]).await?;
    super::commit(txn).await?;
    Ok(updated)
}

/// A sub-type fits a course on its track (LIVESTREAM_SELLER trains hosts, the others
/// professionals) at a level the standard sets for it.
fn check_subtype(subtype: SkillSubtype, track: Track, level: Option<u8>) -> Result<(), AppError> {
    if subtype.track() != track {
        return Err(AppError::validation(
            "subtype",
            ValidationError::InvalidFormat(
                "does not fit the course's track: LIVESTREAM_SELLER is HOST, the others PROFESSIONAL",
            ),
        ));
    }
    if let Some(level) = level {
        SkillLevel::parse(subtype, level.into()).on("subtype")?;
    }
    Ok(())
}

/// Seats taken of open courses beyond their `enrolled_count`: the sum of each course's
/// seat shards (`course_seat`), for the given courses that have any.
pub async fn seats_in_shards(
    db: &impl ConnectionTrait,
    courses: &[Uuid],
) -> Result<HashMap<Uuid, i64>, AppError> {
    let mut out = HashMap::new();
    for chunk in courses.chunks(sql::ROWS) {
        let rows = sql::query(
            db,
            &format!(
                "SELECT course_id, SUM(taken) AS taken FROM course_seat \
                 WHERE course_id IN ({}) GROUP BY course_id",
                sql::marks(chunk.len())
            ),
            chunk.iter().map(|id| (*id).into()).collect(),
        )
        .await?;
        for row in rows {
            out.insert(row.try_get("", "course_id")?, row.try_get("", "taken")?);
        }
    }
    Ok(out)
}
