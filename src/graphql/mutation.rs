//! Mutation root, one object per noun.

mod account;
mod course;
mod institution;
mod programme;
mod trainee;

pub use account::AccountMutation;
pub use course::CourseMutation;
pub use institution::InstitutionMutation;
pub use programme::ProgrammeMutation;
pub use trainee::TraineeMutation;
