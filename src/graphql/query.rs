//! Query root, one object per noun.

mod account;
mod audit;
mod certificate;
mod course;
mod goal;
mod institution;
mod programme;
mod roster;
mod stats;
mod subsidy;
mod trainee;

pub use account::AccountQuery;
pub use audit::AuditQuery;
pub use certificate::CertificateQuery;
pub use course::CourseQuery;
pub use goal::GoalQuery;
pub use institution::InstitutionQuery;
pub use programme::ProgrammeQuery;
pub use roster::{READERS, RosterQuery};
pub use stats::StatsQuery;
pub use subsidy::SubsidyQuery;
pub use trainee::TraineeQuery;
