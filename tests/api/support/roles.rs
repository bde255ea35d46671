//! Every role of the permission table at once, built with the fixture builder: the
//! callers of the permission, visibility and hostile-access tables.

use super::app::TestApp;
use super::fixtures::{NewCourse, trainee_account};

/// Who calls: every role of the permission table, plus an admin of another institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    CityAdmin,
    CityAnalyst,
    InstitutionAdmin,
    InstitutionStaff,
    Trainee,
    OtherInstitutionAdmin,
}

/// Two institutions with a course and a registered person each, and a token per role.
/// The role tokens belong to the first institution; the TRAINEE is its person.
pub struct Roles {
    pub admin: String,
    pub analyst: String,
    pub institution: String,
    pub institution_admin: String,
    pub staff: String,
    pub trainee: String,
    pub trainee_token: String,
    pub course: String,
    pub other_institution: String,
    pub other_admin: String,
    pub other_trainee: String,
    pub other_course: String,
}

impl Roles {
    /// Builds them through the API.
    pub async fn build(app: &TestApp) -> Self {
        let world = app.world().await;
        let analyst = world.user("CITY_ANALYST", None).await;
        let own = world.institution().await;
        let staff = own.staff().await;
        let (trainee, trainee_token) = trainee_account(app, &staff).await;
        let course = own.course(NewCourse::host()).await;
        let other = world.institution().await;
        let other_trainee = other.trainee().await;
        let other_course = other.course(NewCourse::host()).await;
        Self {
            admin: world.admin,
            analyst,
            institution: own.id,
            institution_admin: own.admin,
            staff,
            trainee,
            trainee_token,
            course,
            other_institution: other.id,
            other_admin: other.admin,
            other_trainee,
            other_course,
        }
    }

    /// The bearer token of `caller`; none for `Anonymous`.
    pub fn token(&self, caller: Caller) -> Option<&str> {
        match caller {
            Caller::Anonymous => None,
            Caller::CityAdmin => Some(&self.admin),
            Caller::CityAnalyst => Some(&self.analyst),
            Caller::InstitutionAdmin => Some(&self.institution_admin),
            Caller::InstitutionStaff => Some(&self.staff),
            Caller::Trainee => Some(&self.trainee_token),
            Caller::OtherInstitutionAdmin => Some(&self.other_admin),
        }
    }
}
