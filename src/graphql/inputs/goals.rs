//! Inputs of the plan's goals: `setGoal`, `recognise`, `withdrawRecognition`,
//! `recordIndicator`, `closeProgramme`, and the `recognitions` filter.

use async_graphql::{ID, InputObject};

use super::{optional_district, optional_id};
use crate::domain::{DistrictList, GoalTarget, Month, Title, Yuan};
use crate::error::{AppError, OnField};
use crate::graphql::types::{Date, GoalKind, parse_id};
use crate::service::indicator::NewIndicator;
use crate::service::recognition::{NewRecognition, RecognitionFilter as RecognitionQuery};

/// A programme to act on (`closeProgramme`).
#[derive(InputObject)]
pub struct ProgrammeIdInput {
    /// The programme.
    pub programme_id: ID,
}

/// A goal's new target.
#[derive(InputObject)]
pub struct SetGoalInput {
    /// The programme.
    pub programme_id: ID,
    /// The goal; CERTIFIED_HOSTS and CERTIFIED_PROFESSIONALS set the track targets.
    pub kind: GoalKind,
    /// Above 0: whole persons or organisations (at most 100,000,000), or yuan with at
    /// most two decimals.
    pub target: f64,
}

impl SetGoalInput {
    /// Validates every field.
    pub fn parse(&self) -> Result<(uuid::Uuid, crate::domain::GoalKind, GoalTarget), AppError> {
        let kind = self.kind.into();
        Ok((
            parse_id("programmeId", &self.programme_id)?,
            kind,
            GoalTarget::parse(kind, self.target).on("target")?,
        ))
    }
}

/// An organisation or a person to count against a goal.
#[derive(InputObject)]
pub struct RecogniseInput {
    /// The programme.
    pub programme_id: ID,
    /// SERVICE_INSTITUTIONS (a SERVICE_INSTITUTION or TRAINING_INSTITUTION),
    /// BASES_AND_PARKS (a LIVESTREAMING_BASE or INDUSTRIAL_PARK), ENTERPRISES_LAUNCHED (an
    /// ENTERPRISE) or INFLUENTIAL_HOSTS (a trainee).
    pub kind: GoalKind,
    /// The institution, for the organisation goals.
    pub institution_id: Option<ID>,
    /// The trainee, for INFLUENTIAL_HOSTS.
    pub trainee_id: Option<ID>,
    /// When it was recognised: within the programme period, not in the future.
    pub recognised_on: Date,
    /// What the recognition rests on (a decision, a list); 1–200 characters.
    pub evidence: String,
}

impl RecogniseInput {
    /// Validates every field.
    pub fn parse(&self) -> Result<NewRecognition, AppError> {
        Ok(NewRecognition {
            programme_id: parse_id("programmeId", &self.programme_id)?,
            kind: self.kind.into(),
            institution_id: optional_id("institutionId", self.institution_id.as_ref())?,
            trainee_id: optional_id("traineeId", self.trainee_id.as_ref())?,
            recognised_on: self.recognised_on.0,
            evidence: Title::parse(&self.evidence).on("evidence")?,
        })
    }
}

/// A recognition to withdraw.
#[derive(InputObject)]
pub struct WithdrawRecognitionInput {
    /// The recognition.
    pub recognition_id: ID,
    /// Why; kept in the audit trail (write no personal data).
    pub reason: String,
}

impl WithdrawRecognitionInput {
    /// Validates every field.
    pub fn parse(&self) -> Result<(uuid::Uuid, Title), AppError> {
        Ok((
            parse_id("recognitionId", &self.recognition_id)?,
            Title::parse(&self.reason).on("reason")?,
        ))
    }
}

/// A month's figure of a measured goal.
#[derive(InputObject)]
pub struct RecordIndicatorInput {
    /// The programme.
    pub programme_id: ID,
    /// SALES_CNY.
    pub kind: GoalKind,
    /// `YYYY-MM`, within the programme period and not after the current month.
    pub month: String,
    /// The month's figure in CNY: 0 or more, at most two decimals.
    pub value: f64,
    /// Where the figure comes from; 1–200 characters.
    pub source: String,
}

impl RecordIndicatorInput {
    /// Validates every field.
    pub fn parse(&self) -> Result<NewIndicator, AppError> {
        Ok(NewIndicator {
            programme_id: parse_id("programmeId", &self.programme_id)?,
            kind: self.kind.into(),
            month: Month::parse(&self.month).on("month")?,
            value: Yuan::parse(self.value).on("value")?,
            source: Title::parse(&self.source).on("source")?,
        })
    }
}

/// Narrows `recognitions`; every field is optional.
#[derive(InputObject, Default)]
pub struct RecognitionFilter {
    /// Of this programme.
    pub programme_id: Option<ID>,
    /// For this goal.
    pub kind: Option<GoalKind>,
    /// Of institutions in this district (recognised persons have none).
    pub district: Option<String>,
}

impl RecognitionFilter {
    /// Validates the id and the district.
    pub fn parse(self, districts: &DistrictList) -> Result<RecognitionQuery, AppError> {
        Ok(RecognitionQuery {
            programme_id: optional_id("programmeId", self.programme_id.as_ref())?,
            kind: self.kind.map(Into::into),
            district: optional_district(districts, self.district.as_deref())?
                .map(|d| d.as_str().to_owned()),
        })
    }
}
