//! SeaORM entities: one per table, storage shape only (never exposed as GraphQL types).

pub mod audit_log;
pub mod certificate;
pub mod course;
pub mod enrolment;
pub mod indicator;
pub mod institution;
pub mod prelude;
pub mod programme;
pub mod programme_goal;
pub mod programme_target;
pub mod recognition;
pub mod session;
pub mod stats_day;
pub mod trainee;
pub mod trainee_institution;
pub mod user;
