//! Input objects that set up the registry: programmes and their targets, institutions,
//! courses.

use async_graphql::{ID, InputObject};

use crate::domain::{
    Capacity, CountedKinds, CourseLevel, CreditCode, DateSpan, DistrictList, Hours, TargetCount,
    Title,
};
use crate::error::{AppError, OnField};
use crate::graphql::types::{CredentialKind, Date, InstitutionKind, SkillSubtype, Track, parse_id};
use crate::service::course::NewCourse;
use crate::service::institution::NewInstitution;
use crate::service::programme::NewProgramme;

/// A target for one track.
#[derive(InputObject)]
pub struct TargetInput {
    /// The track.
    pub track: Track,
    /// Distinct persons to certify (0 or more).
    pub target: i32,
}

/// A new programme.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// Name.
    pub name: String,
    /// First day counted.
    pub starts_on: Date,
    /// Last day counted; not before `startsOn`.
    pub ends_on: Date,
    /// Targets per track.
    pub targets: Option<Vec<TargetInput>>,
    /// The credential kinds it counts (set once, at creation); default
    /// TRAINING_COMPLETION and SKILL_LEVEL.
    pub counted_kinds: Option<Vec<CredentialKind>>,
}

impl CreateProgrammeInput {
    /// Validates every field.
    pub fn parse(self) -> Result<NewProgramme, AppError> {
        DateSpan::parse(Some(self.starts_on.0), Some(self.ends_on.0)).on("endsOn")?;
        Ok(NewProgramme {
            name: Title::parse(&self.name).on("name")?,
            starts_on: self.starts_on.0,
            ends_on: self.ends_on.0,
            targets: self
                .targets
                .unwrap_or_default()
                .into_iter()
                .map(|t| Ok((t.track.into(), TargetCount::parse(t.target).on("target")?)))
                .collect::<Result<_, AppError>>()?,
            counted_kinds: match self.counted_kinds {
                None => CountedKinds::default(),
                Some(kinds) => {
                    let kinds: Vec<_> = kinds.into_iter().map(Into::into).collect();
                    CountedKinds::parse(&kinds).on("countedKinds")?
                }
            },
        })
    }
}

/// A target to set.
#[derive(InputObject)]
pub struct SetTargetInput {
    /// The programme.
    pub programme_id: ID,
    /// The track.
    pub track: Track,
    /// Distinct persons to certify (0 or more).
    pub target: i32,
}

/// A new institution.
#[derive(InputObject)]
pub struct CreateInstitutionInput {
    /// Registered name.
    pub name: String,
    /// Unified social credit code: 18 characters with a valid GB 32100 check character.
    pub credit_code: String,
    /// District, English or Chinese name (`Nanshan` or `南山`).
    pub district: String,
    /// Kind of organisation.
    pub kind: InstitutionKind,
    /// An evaluation organisation (评价机构): its users record skill certificates. Null is
    /// false.
    #[graphql(default_with = "Some(false)")]
    pub evaluator: Option<bool>,
}

impl CreateInstitutionInput {
    /// Validates every field against the configured districts.
    pub fn parse(self, districts: &DistrictList) -> Result<NewInstitution, AppError> {
        Ok(NewInstitution {
            name: Title::parse(&self.name).on("name")?,
            credit_code: CreditCode::parse(&self.credit_code).on("creditCode")?,
            district: districts.parse(&self.district).on("district")?,
            kind: self.kind.into(),
            evaluator: self.evaluator.unwrap_or(false),
        })
    }
}

/// A new course.
#[derive(InputObject)]
pub struct CreateCourseInput {
    /// The caller's institution.
    pub institution_id: ID,
    /// Title.
    pub title: String,
    /// Track the course trains for.
    pub track: Track,
    /// Vocational skill level 1–5 (5 entry, 1 highest).
    pub level: Option<i32>,
    /// Teaching hours, 1 or more.
    pub hours: i32,
    /// Seats, 1 or more; unlimited when null.
    pub capacity: Option<i32>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day; not before `startsOn`.
    pub ends_on: Option<Date>,
    /// The sub-type (工种) it trains for: LIVESTREAM_SELLER on HOST, the others on
    /// PROFESSIONAL, at a level the standard sets for it.
    pub subtype: Option<SkillSubtype>,
}

impl CreateCourseInput {
    /// Validates every field.
    pub fn parse(self) -> Result<NewCourse, AppError> {
        Ok(NewCourse {
            institution_id: parse_id("institutionId", &self.institution_id)?,
            title: Title::parse(&self.title).on("title")?,
            track: self.track.into(),
            level: self.level.map(CourseLevel::parse).transpose().on("level")?,
            hours: Hours::parse(self.hours).on("hours")?,
            capacity: self
                .capacity
                .map(Capacity::parse)
                .transpose()
                .on("capacity")?,
            dates: DateSpan::parse(self.starts_on.map(|d| d.0), self.ends_on.map(|d| d.0))
                .on("endsOn")?,
            subtype: self.subtype.map(Into::into),
        })
    }
}
