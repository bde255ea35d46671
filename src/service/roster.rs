//! Rosters: the enrolments a caller may list (a course's cohort, a person's courses) and
//! the certificates an institution issued. Scoped like every read: the city sees all,
//! an institution its own courses' rows, a trainee its own; CITY_ANALYST reads no rows
//! about people.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access;
use super::page::{self, Page, PageRequest};
use crate::auth::CurrentUser;
use crate::domain::{CertificateStatus, EnrolmentStatus, Role, Track};
use crate::entity::{certificate, course, enrolment};
use crate::error::AppError;

/// Filters of [`enrolments`]; an id the caller may not see matches nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct EnrolmentFilter {
    /// Only this course's enrolments.
    pub course_id: Option<Uuid>,
    /// Only this person's.
    pub trainee_id: Option<Uuid>,
    /// Only enrolments in this institution's courses.
    pub institution_id: Option<Uuid>,
    /// Only enrolments in this state.
    pub status: Option<EnrolmentStatus>,
}

/// Filters of [`certificates`]; an id the caller may not see matches nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct CertificateFilter {
    /// Only certificates this institution issued.
    pub institution_id: Option<Uuid>,
    /// Only certificates of this course.
    pub course_id: Option<Uuid>,
    /// Only this track.
    pub track: Option<Track>,
    /// Only certificates in this state now.
    pub status: Option<CertificateStatus>,
    /// Only certificates issued (assessed) on or after this day.
    pub issued_from: Option<NaiveDate>,
    /// Only certificates issued (assessed) on or before this day.
    pub issued_to: Option<NaiveDate>,
}

/// Whose rows a reader of people's records sees.
enum Scope {
    All,
    Institution(Uuid),
    Trainee(Uuid),
}

fn scope(actor: &CurrentUser) -> Result<Scope, AppError> {
    match actor.role {
        Role::CityAdmin => Ok(Scope::All),
        Role::InstitutionAdmin | Role::InstitutionStaff => {
            Ok(Scope::Institution(access::own_institution(actor)?))
        }
        Role::Trainee => actor
            .trainee_id
            .map(Scope::Trainee)
            .ok_or(AppError::Forbidden),
        Role::CityAnalyst => Err(AppError::Forbidden),
    }
}

/// Enrolments the caller may read, by filter, in id (enrolment time) order.
pub async fn enrolments(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: EnrolmentFilter,
    page: PageRequest,
) -> Result<Page<enrolment::Model>, AppError> {
    let mut select = enrolment::Entity::find();
    match scope(actor)? {
        Scope::All => {}
        Scope::Institution(own) => select = select.filter(in_courses_of(own)),
        Scope::Trainee(own) => select = select.filter(enrolment::Column::TraineeId.eq(own)),
    }
    if let Some(id) = filter.course_id {
        select = select.filter(enrolment::Column::CourseId.eq(id));
    }
    if let Some(id) = filter.trainee_id {
        select = select.filter(enrolment::Column::TraineeId.eq(id));
    }
    if let Some(id) = filter.institution_id {
        select = select.filter(in_courses_of(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(enrolment::Column::Status.eq(status.as_str()));
    }
    page::fetch(db, select, enrolment::Column::Id, page).await
}

/// Certificates the caller may read, by filter, in id (issue time) order; `status` is
/// judged at `now`.
pub async fn certificates(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: CertificateFilter,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<certificate::Model>, AppError> {
    let mut select = certificate::Entity::find();
    match scope(actor)? {
        Scope::All => {}
        Scope::Institution(own) => {
            select = select.filter(certificate::Column::InstitutionId.eq(own));
        }
        Scope::Trainee(own) => select = select.filter(certificate::Column::TraineeId.eq(own)),
    }
    if let Some(id) = filter.institution_id {
        select = select.filter(certificate::Column::InstitutionId.eq(id));
    }
    if let Some(id) = filter.course_id {
        select = select.filter(certificate::Column::CourseId.eq(id));
    }
    if let Some(track) = filter.track {
        select = select.filter(certificate::Column::Track.eq(track.as_str()));
    }
    if let Some(status) = filter.status {
        select = select.filter(in_state(status, now));
    }
    if let Some(from) = filter.issued_from {
        select = select.filter(certificate::Column::IssuedOn.gte(from));
    }
    if let Some(to) = filter.issued_to {
        select = select.filter(certificate::Column::IssuedOn.lte(to));
    }
    page::fetch(db, select, certificate::Column::Id, page).await
}

/// Condition: the enrolment is in a course of `institution_id`.
fn in_courses_of(institution_id: Uuid) -> Condition {
    Condition::all().add(
        enrolment::Column::CourseId.in_subquery(
            Query::select()
                .column(course::Column::Id)
                .from(course::Entity)
                .and_where(course::Column::InstitutionId.eq(institution_id))
                .to_owned(),
        ),
    )
}

/// Condition: the certificate is in `status` at `now` (revocation wins over expiry, as
/// `Certificate.status` says).
fn in_state(status: CertificateStatus, now: DateTime<Utc>) -> Condition {
    let revoked = certificate::Column::RevokedAt.is_not_null();
    let not_revoked = certificate::Column::RevokedAt.is_null();
    match status {
        CertificateStatus::Revoked => Condition::all().add(revoked),
        CertificateStatus::Expired => Condition::all()
            .add(not_revoked)
            .add(certificate::Column::ExpiresAt.lte(now)),
        CertificateStatus::Valid => Condition::all().add(not_revoked).add(
            Condition::any()
                .add(certificate::Column::ExpiresAt.is_null())
                .add(certificate::Column::ExpiresAt.gt(now)),
        ),
    }
}
