//! Validated domain types and vocabulary: parsed once at the edge, no I/O.

mod account;
mod assessment;
mod certificate;
mod course;
mod credential;
mod credit_code;
mod district;
mod goal;
mod id_document;
mod person;
mod subsidy;
mod validation_error;
mod vocabulary;

pub use account::{Password, Username};
pub use assessment::AssessedOn;
pub use certificate::{CertificateNumber, Score, month_of, programme_date};
pub use course::{Capacity, CourseLevel, DateSpan, Hours, TargetCount, Title};
pub use credential::{
    CountedKinds, NationalNumber, OCCUPATION_CODE, SkillLevel, issued_on as skill_issued_on,
    meets_standard_hours, standard_hours,
};
pub use credit_code::CreditCode;
pub use district::{District, DistrictList};
pub use goal::{GoalTarget, Month, Subject, Yuan};
pub use id_document::IdDocument;
pub use person::{PersonName, PhoneNumber};
pub use subsidy::{
    Claimable, Decision, PaidClaim, Reason, Rule, SubsidyAmounts, SubsidyPolicy, claim_by, decide,
};
pub use validation_error::ValidationError;
pub use vocabulary::{
    CertificateStatus, CredentialKind, EnrolmentStatus, GoalKind, IdType, InstitutionKind, Role,
    SkillSubtype, Track,
};
