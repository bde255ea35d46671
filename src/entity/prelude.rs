//! Entity aliases named after their tables, for `use crate::entity::prelude::*`.

pub use super::certificate::Entity as Certificate;
pub use super::course::Entity as Course;
pub use super::enrolment::Entity as Enrolment;
pub use super::institution::Entity as Institution;
pub use super::programme::Entity as Programme;
pub use super::programme_target::Entity as ProgrammeTarget;
pub use super::session::Entity as Session;
pub use super::trainee::Entity as Trainee;
pub use super::trainee_institution::Entity as TraineeInstitution;
pub use super::user::Entity as User;
