//! SeaORM entities: one per table, storage shape only (never exposed as GraphQL types).

pub mod audit_log;
pub mod certificate;
pub mod course;
pub mod enrolment;
pub mod goal_counter;
pub mod goal_day;
pub mod indicator;
pub mod institution;
pub mod person_track;
pub mod prelude;
pub mod programme;
pub mod programme_certified;
pub mod programme_counter;
pub mod programme_day;
pub mod programme_goal;
pub mod programme_person;
pub mod programme_person_counter;
pub mod programme_target;
pub mod recognition;
pub mod session;
pub mod stats_day;
pub mod stats_rollup;
pub mod subsidy_claim;
pub mod trainee;
pub mod trainee_institution;
pub mod user;
