//! Courses: opened by an institution's admin, read within the institution or by the city.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::page::{self, Page, PageRequest};
use super::{access, now};
use crate::auth::CurrentUser;
use crate::domain::{Capacity, CourseLevel, DateSpan, Hours, Role, Title, Track};
use crate::entity::course;
use crate::error::AppError;

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
    let mut select = course::Entity::find();
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
