//! Inputs of the lists (rosters, certificates, the audit trail) and of the corrections.

use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};

use super::optional_id;
use crate::domain::{Capacity, DateSpan, DistrictList, Hours, PersonName, PhoneNumber, Title};
use crate::error::{AppError, OnField};
use crate::graphql::types::{
    AuditKind, CertificateStatus, Date, EnrolmentStatus, SkillSubtype, Track, parse_id,
};
use crate::service::audit::AuditFilter;
use crate::service::course::CourseChanges;
use crate::service::roster;
use crate::service::trainee::Correction;

/// Filters of `enrolments`; an id the caller may not see matches nothing.
#[derive(InputObject, Default)]
pub struct EnrolmentFilter {
    /// Only this course's enrolments.
    pub course_id: Option<ID>,
    /// Only this person's.
    pub trainee_id: Option<ID>,
    /// Only enrolments in this institution's courses.
    pub institution_id: Option<ID>,
    /// Only enrolments in this state.
    pub status: Option<EnrolmentStatus>,
}

impl EnrolmentFilter {
    /// Validates the ids.
    pub fn parse(self) -> Result<roster::EnrolmentFilter, AppError> {
        Ok(roster::EnrolmentFilter {
            course_id: optional_id("courseId", self.course_id.as_ref())?,
            trainee_id: optional_id("traineeId", self.trainee_id.as_ref())?,
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            status: self.status.map(Into::into),
        })
    }
}

/// Filters of `certificates`; an id the caller may not see matches nothing.
#[derive(InputObject, Default)]
pub struct CertificateFilter {
    /// Only certificates this institution issued.
    pub institution_id: Option<ID>,
    /// Only certificates of this course.
    pub course_id: Option<ID>,
    /// Only this track.
    pub track: Option<Track>,
    /// Only certificates in this state now.
    pub status: Option<CertificateStatus>,
    /// Only certificates issued on or after this day (the assessment date).
    pub issued_from: Option<Date>,
    /// Only certificates issued on or before this day; not before `issuedFrom`.
    pub issued_to: Option<Date>,
}

impl CertificateFilter {
    /// Validates the ids and the date span.
    pub fn parse(self) -> Result<roster::CertificateFilter, AppError> {
        let span = DateSpan::parse(self.issued_from.map(|d| d.0), self.issued_to.map(|d| d.0))
            .on("issuedTo")?;
        Ok(roster::CertificateFilter {
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            course_id: optional_id("courseId", self.course_id.as_ref())?,
            track: self.track.map(Into::into),
            status: self.status.map(Into::into),
            issued_from: span.starts_on(),
            issued_to: span.ends_on(),
        })
    }
}

/// Narrows `auditLog`; every field is optional.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Entries of this user.
    pub actor_id: Option<ID>,
    /// Writes or reads only.
    pub kind: Option<AuditKind>,
    /// Entries naming this record (a trainee, an enrolment, …).
    pub record_id: Option<ID>,
    /// Entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
}

impl AuditLogFilter {
    /// Validates the ids.
    pub fn parse(self) -> Result<AuditFilter, AppError> {
        Ok(AuditFilter {
            actor_id: optional_id("actorId", self.actor_id.as_ref())?,
            kind: self.kind.map(AuditKind::as_str),
            record_id: optional_id("recordId", self.record_id.as_ref())?,
            since: self.since,
        })
    }
}

/// A correction of a course. A field left out stays as it is; `capacity`, `startsOn`
/// and `endsOn` given as null are cleared (no seat limit, an open start or end), as is
/// `subtype`. The track, level and institution never change.
#[derive(InputObject)]
pub struct UpdateCourseInput {
    /// The course, of the caller's institution.
    pub course_id: ID,
    /// New title.
    pub title: Option<String>,
    /// New teaching hours, 1 or more.
    pub hours: Option<i32>,
    /// New seat limit; not below the seats already taken (`CONFLICT`).
    pub capacity: MaybeUndefined<i32>,
    /// New first day.
    pub starts_on: MaybeUndefined<Date>,
    /// New last day; not before the first.
    pub ends_on: MaybeUndefined<Date>,
    /// New sub-type (工种), fitting the course's track and level; null clears it.
    pub subtype: MaybeUndefined<SkillSubtype>,
}

impl UpdateCourseInput {
    /// Validates every field given.
    pub fn parse(self) -> Result<(uuid::Uuid, CourseChanges), AppError> {
        let course_id = parse_id("courseId", &self.course_id)?;
        let changes = CourseChanges {
            title: self
                .title
                .as_deref()
                .map(Title::parse)
                .transpose()
                .on("title")?,
            hours: self.hours.map(Hours::parse).transpose().on("hours")?,
            capacity: maybe(self.capacity)
                .map(|c| c.map(Capacity::parse).transpose())
                .transpose()
                .on("capacity")?,
            starts_on: maybe(self.starts_on).map(|d| d.map(|d| d.0)),
            ends_on: maybe(self.ends_on).map(|d| d.map(|d| d.0)),
            subtype: maybe(self.subtype).map(|s| s.map(Into::into)),
        };
        Ok((course_id, changes))
    }
}

/// A correction of a person's record, with the reason for the audit trail. A field left
/// out stays as it is; `phone` and `district` given as null are cleared.
#[derive(InputObject)]
pub struct CorrectTraineeInput {
    /// The person, owned by the caller's institution (any, for CITY_ADMIN).
    pub trainee_id: ID,
    /// The right full name.
    pub name: Option<String>,
    /// The right mobile phone.
    pub phone: MaybeUndefined<String>,
    /// The right district, English or Chinese name.
    pub district: MaybeUndefined<String>,
    /// Why (required, kept in the audit trail; write no personal data in it).
    pub reason: String,
}

impl CorrectTraineeInput {
    /// Validates every field given against the configured districts.
    pub fn parse(self, districts: &DistrictList) -> Result<(uuid::Uuid, Correction), AppError> {
        let trainee_id = parse_id("traineeId", &self.trainee_id)?;
        let correction = Correction {
            name: self
                .name
                .as_deref()
                .map(PersonName::parse)
                .transpose()
                .on("name")?,
            phone: maybe(self.phone)
                .map(|p| p.as_deref().map(PhoneNumber::parse).transpose())
                .transpose()
                .on("phone")?,
            district: maybe(self.district)
                .map(|d| d.as_deref().map(|d| districts.parse(d)).transpose())
                .transpose()
                .on("district")?,
            reason: Title::parse(&self.reason).on("reason")?,
        };
        Ok((trainee_id, correction))
    }
}

/// A field left out (`None`), given as null (`Some(None)`) or given a value.
fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
