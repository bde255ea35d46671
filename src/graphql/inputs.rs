//! GraphQL input objects and their parsing into validated service inputs.

mod bulk;
mod credentials;
mod goals;
mod roster;
mod setup;

pub use bulk::{EnrolManyInput, ImportEnrolmentsInput, ImportResultsInput, RecordResultsInput};
pub use credentials::{RecordSkillCertificateInput, RecordSubsidyClaimInput};
pub use goals::{
    ProgrammeIdInput, RecogniseInput, RecognitionFilter, RecordIndicatorInput, SetGoalInput,
    WithdrawRecognitionInput,
};
pub use roster::{
    AuditLogFilter, CertificateFilter, CorrectTraineeInput, EnrolmentFilter, UpdateCourseInput,
};
pub use setup::{CreateCourseInput, CreateInstitutionInput, CreateProgrammeInput, SetTargetInput};

use async_graphql::{ID, InputObject};

use super::types::{Date, IdType, Role, Track, parse_id};
use crate::domain::{self, DateSpan, DistrictList, IdDocument, Password, Score, Username};
use crate::error::{AppError, OnField};
use crate::service::account::NewUser;
use crate::service::counting::stats::{Dimension, StatsFilter as StatsQuery};
use crate::service::course::CourseFilter as CourseQuery;
use crate::service::results::Assessment;
use crate::service::trainee::{NewTrainee, TraineeFilter as TraineeQuery};
use crate::service::user_admin::UserFilter as UserQuery;

/// Credentials.
#[derive(InputObject)]
pub struct LoginInput {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new account.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Login name: 3–64 of a–z, 0–9, `.`, `_`, `-`.
    pub username: String,
    /// Password: 12–128 characters.
    pub password: String,
    /// Role; TRAINEE accounts come from `activateTraineeAccount`.
    pub role: Role,
    /// Institution of an institution role.
    pub institution_id: Option<ID>,
}

impl CreateUserInput {
    /// Validates every field.
    pub fn parse(self) -> Result<NewUser, AppError> {
        Ok(NewUser {
            username: Username::parse(&self.username).on("username")?,
            password: Password::parse(&self.password).on("password")?,
            role: self.role.into(),
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
        })
    }
}

/// A person to register.
#[derive(InputObject, Clone)]
pub struct RegisterTraineeInput {
    /// Full name.
    pub name: String,
    /// Type of identity document.
    #[graphql(default_with = "IdType::ResidentId")]
    pub id_type: IdType,
    /// Document number; never returned, stored only as a keyed hash and a masked form.
    pub id_number: String,
    /// Mobile phone.
    pub phone: Option<String>,
    /// District of residence, English or Chinese name.
    pub district: Option<String>,
}

impl RegisterTraineeInput {
    /// Validates every field against the configured districts.
    pub fn parse(&self, districts: &DistrictList) -> Result<NewTrainee, AppError> {
        NewTrainee::parse(
            &self.name,
            self.id_type.into(),
            &self.id_number,
            self.phone.as_deref(),
            self.district.as_deref(),
            districts,
        )
    }
}

/// Activation of a trainee's own account.
#[derive(InputObject)]
pub struct ActivateTraineeInput {
    /// The code returned when the trainee was registered.
    pub activation_code: String,
    /// Login name to take.
    pub username: String,
    /// Password: 12–128 characters.
    pub password: String,
}

/// The account an administrator acts on.
#[derive(InputObject)]
pub struct UserIdInput {
    /// The account.
    pub user_id: ID,
}

/// The trainee whose activation code is reissued.
#[derive(InputObject)]
pub struct TraineeIdInput {
    /// The trainee.
    pub trainee_id: ID,
}

/// A new password for the signed-in account.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use (after a reset: the temporary one).
    pub current_password: String,
    /// The new password: 12–128 characters, not the current one.
    pub new_password: String,
}

/// Filters of `users`.
#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Only accounts of this institution.
    pub institution_id: Option<ID>,
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
}

impl UserFilter {
    /// Validates the ids.
    pub fn parse(self) -> Result<UserQuery, AppError> {
        Ok(UserQuery {
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            role: self.role.map(Into::into),
            active: self.active,
        })
    }
}

/// Filters of `courses`.
#[derive(InputObject, Default)]
pub struct CourseFilter {
    /// Only this institution's courses.
    pub institution_id: Option<ID>,
    /// Only this track.
    pub track: Option<Track>,
}

impl CourseFilter {
    /// Validates the ids.
    pub fn parse(self) -> Result<CourseQuery, AppError> {
        Ok(CourseQuery {
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            track: self.track.map(Into::into),
        })
    }
}

/// Filters of `trainees`.
#[derive(InputObject, Default)]
pub struct TraineeFilter {
    /// Only persons this institution registered or enrolled.
    pub institution_id: Option<ID>,
    /// Only persons living in this district.
    pub district: Option<String>,
    /// Type of `idNumber` (default RESIDENT_ID).
    pub id_type: Option<IdType>,
    /// Only the holder of this document number (exact match).
    pub id_number: Option<String>,
}

impl TraineeFilter {
    /// Validates the fields.
    pub fn parse(self, districts: &DistrictList) -> Result<TraineeQuery, AppError> {
        let id_type: domain::IdType = self.id_type.unwrap_or(IdType::ResidentId).into();
        Ok(TraineeQuery {
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            district: optional_district(districts, self.district.as_deref())?,
            document: self
                .id_number
                .as_deref()
                .map(|n| IdDocument::parse(id_type, n))
                .transpose()
                .on("idNumber")?,
        })
    }
}

/// Enrolment of a registered trainee.
#[derive(InputObject)]
pub struct EnrolInput {
    /// The trainee.
    pub trainee_id: ID,
    /// A course of the caller's institution that has not ended.
    pub course_id: ID,
}

/// The result of an enrolment.
#[derive(InputObject)]
pub struct CompleteEnrolmentInput {
    /// The enrolment, still ENROLLED.
    pub enrolment_id: ID,
    /// Passed: COMPLETED and a certificate is issued; otherwise FAILED.
    pub passed: bool,
    /// Final score, 0–100.
    pub score: Option<i32>,
    /// Expiry of the issued certificate; never when null.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Day of the exam (考核日期); today (China Standard Time) when null. Not in the
    /// future, not before the course starts, at most 365 days ago. The certificate's
    /// `issuedOn`, and every count, use this day.
    pub assessed_on: Option<Date>,
}

impl CompleteEnrolmentInput {
    /// Validates the fields (the assessment day is checked against the course).
    pub fn parse(self) -> Result<(uuid::Uuid, Assessment), AppError> {
        Ok((
            parse_id("enrolmentId", &self.enrolment_id)?,
            Assessment {
                passed: self.passed,
                score: self.score.map(Score::parse).transpose().on("score")?,
                assessed_on: self.assessed_on.map(|d| d.0),
                expires_at: self.expires_at,
            },
        ))
    }
}

/// Withdrawal of an ENROLLED trainee.
#[derive(InputObject)]
pub struct WithdrawEnrolmentInput {
    /// The enrolment.
    pub enrolment_id: ID,
    /// Why the trainee left.
    pub reason: Option<String>,
}

/// Revocation of a certificate.
#[derive(InputObject)]
pub struct RevokeCertificateInput {
    /// Certificate number.
    pub number: String,
    /// Why it is revoked (required, kept with the certificate).
    pub reason: String,
}

/// A dimension of `stats`.
#[derive(async_graphql::Enum, Copy, Clone, PartialEq, Eq)]
pub enum StatsDimension {
    /// Course track.
    Track,
    /// The institution's district.
    District,
    /// The institution.
    Institution,
    /// Month of the counted event, `YYYY-MM` (China Standard Time).
    Month,
    /// Course skill level.
    Level,
}

impl From<StatsDimension> for Dimension {
    fn from(value: StatsDimension) -> Self {
        match value {
            StatsDimension::Track => Self::Track,
            StatsDimension::District => Self::District,
            StatsDimension::Institution => Self::Institution,
            StatsDimension::Month => Self::Month,
            StatsDimension::Level => Self::Level,
        }
    }
}

/// Filters of `stats`.
#[derive(InputObject, Default)]
pub struct StatsFilter {
    /// Only events within this programme's period.
    pub programme_id: Option<ID>,
    /// Only this track.
    pub track: Option<Track>,
    /// Only institutions in this district.
    pub district: Option<String>,
    /// Only this institution.
    pub institution_id: Option<ID>,
    /// Only events on or after this date.
    pub from: Option<Date>,
    /// Only events on or before this date.
    pub to: Option<Date>,
}

impl StatsFilter {
    /// Validates the fields.
    pub fn parse(self, districts: &DistrictList) -> Result<StatsQuery, AppError> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            DateSpan::parse(Some(from.0), Some(to.0)).on("to")?;
        }
        Ok(StatsQuery {
            programme_id: optional_id("programmeId", self.programme_id.as_ref())?,
            track: self.track.map(Into::into),
            district: optional_district(districts, self.district.as_deref())?,
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// An optional `ID` argument as a UUID.
fn optional_id(field: &'static str, id: Option<&ID>) -> Result<Option<uuid::Uuid>, AppError> {
    id.map(|id| parse_id(field, id)).transpose()
}

/// An optional district name (English or Chinese) of the configured list.
fn optional_district(
    districts: &DistrictList,
    raw: Option<&str>,
) -> Result<Option<domain::District>, AppError> {
    raw.map(|d| districts.parse(d)).transpose().on("district")
}
