//! Query root, one object per noun.

mod account;
mod course;
mod institution;
mod programme;
mod trainee;

pub use account::AccountQuery;
pub use course::CourseQuery;
pub use institution::InstitutionQuery;
pub use programme::ProgrammeQuery;
pub use trainee::TraineeQuery;
