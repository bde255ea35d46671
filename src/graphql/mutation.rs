//! Mutation root, one object per noun.

mod account;
mod batch;
mod certificate;
mod course;
mod credential;
mod enrolment;
mod goal;
mod import;
mod institution;
mod programme;
mod results;
mod trainee;

pub use account::AccountMutation;
pub use batch::BatchMutation;
pub use certificate::CertificateMutation;
pub use course::CourseMutation;
pub use credential::CredentialMutation;
pub use enrolment::EnrolmentMutation;
pub use goal::GoalMutation;
pub use import::ImportMutation;
pub use institution::InstitutionMutation;
pub use programme::ProgrammeMutation;
pub use results::ResultsMutation;
pub use trainee::TraineeMutation;
