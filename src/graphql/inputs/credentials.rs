//! Inputs of the national credentials and the skill-upgrade subsidy.

use async_graphql::{ID, InputObject};

use crate::domain::{self, programme_date};
use crate::error::{AppError, OnField};
use crate::graphql::types::{CredentialKind, Date, SkillSubtype, parse_id};
use crate::service::credential::{NewCredential, parse_number};
use crate::service::now;
use crate::service::subsidy::NewClaim;

/// A national credential an evaluation organisation issued.
#[derive(InputObject)]
pub struct RecordSkillCertificateInput {
    /// The holder: a trainee the caller's institution owns (CITY_ADMIN: anyone).
    pub trainee_id: ID,
    /// SKILL_LEVEL or SPECIAL_ABILITY (completion certificates come from results).
    pub kind: CredentialKind,
    /// The sub-type (工种).
    pub subtype: SkillSubtype,
    /// 5 (entry) to 1 (highest); PLATFORM_MANAGER 5 to 3.
    pub level: i32,
    /// The 22-character national number: `Y` or `S`, then 21 digits, the 14th–15th
    /// characters the issue year's last two digits, the 16th the level. Unique.
    pub national_number: String,
    /// The issue day on the certificate; not in the future, not before 2020.
    pub issued_on: Date,
    /// The evaluation organisation that issued it: required of CITY_ADMIN; an
    /// institution user records for its own institution.
    pub institution_id: Option<ID>,
}

impl RecordSkillCertificateInput {
    /// Validates every field.
    pub fn parse(self) -> Result<NewCredential, AppError> {
        let trainee_id = parse_id("traineeId", &self.trainee_id)?;
        let issued_on =
            domain::skill_issued_on(self.issued_on.0, programme_date(now())).on("issuedOn")?;
        let subtype: domain::SkillSubtype = self.subtype.into();
        let (level, national_number) =
            parse_number(subtype, self.level, &self.national_number, issued_on)?;
        Ok(NewCredential {
            trainee_id,
            kind: self.kind.into(),
            subtype,
            level,
            national_number,
            issued_on,
            institution_id: self
                .institution_id
                .as_ref()
                .map(|id| parse_id("institutionId", id))
                .transpose()?,
        })
    }
}

/// A skill-upgrade subsidy the city paid.
#[derive(InputObject)]
pub struct RecordSubsidyClaimInput {
    /// The skill-level certificate it was paid on.
    pub certificate_id: ID,
    /// The day it was paid: not in the future, within 12 months of the certificate's issue.
    pub paid_on: Date,
    /// Yuan paid: above 0, at most the amount set for the certificate's level.
    pub amount_cny: i32,
}

impl RecordSubsidyClaimInput {
    /// Validates every field.
    pub fn parse(self) -> Result<NewClaim, AppError> {
        if self.paid_on.0 > programme_date(now()) {
            return Err(AppError::validation(
                "paidOn",
                domain::ValidationError::InvalidFormat("must not be in the future"),
            ));
        }
        if self.amount_cny <= 0 {
            return Err(AppError::validation(
                "amountCny",
                domain::ValidationError::InvalidFormat("must be above 0"),
            ));
        }
        Ok(NewClaim {
            certificate_id: parse_id("certificateId", &self.certificate_id)?,
            paid_on: self.paid_on.0,
            amount_cny: self.amount_cny,
        })
    }
}
