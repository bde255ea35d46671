//! `registerTrainee`, `correctTrainee`.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::domain::Role;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::inputs::{CorrectTraineeInput, RegisterTraineeInput};
use crate::graphql::types::Trainee;
use crate::service::{Deps, trainee};

/// Result of `registerTrainee`.
#[derive(SimpleObject)]
pub struct RegisterTraineePayload {
    /// The person, new or already registered by any institution.
    pub trainee: Trainee,
    /// True when this call registered the person.
    pub created: bool,
    /// One-time code for the trainee to activate an own account; only when created.
    pub activation_code: Option<String>,
}

/// Mutations on trainees.
#[derive(Default)]
pub struct TraineeMutation;

#[Object]
impl TraineeMutation {
    /// Registers a person for the caller's institution. The same identity document always
    /// yields the same trainee, whichever institution registers it.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn register_trainee(
        &self,
        ctx: &Context<'_>,
        input: RegisterTraineeInput,
    ) -> Result<RegisterTraineePayload> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse(&deps.districts)?;
        let registered = trainee::register(deps, caller(ctx)?, input).await?;
        Ok(RegisterTraineePayload {
            trainee: registered.trainee.into(),
            created: registered.created,
            activation_code: registered.activation_code,
        })
    }

    /// Corrects a person's name, phone or district, with a reason: a user of an
    /// institution that owns the person, or CITY_ADMIN. The audit trail names the fields
    /// changed (never their values); verification uses the new name at once.
    #[graphql(guard = "RoleGuard::new(CORRECTORS)")]
    async fn correct_trainee(
        &self,
        ctx: &Context<'_>,
        input: CorrectTraineeInput,
    ) -> Result<Trainee> {
        let deps = ctx.data::<Deps>()?;
        let (trainee_id, correction) = input.parse(&deps.districts)?;
        Ok(
            trainee::correct(&deps.db, caller(ctx)?, trainee_id, correction)
                .await?
                .into(),
        )
    }
}

/// Who may correct a person's record.
const CORRECTORS: &[Role] = &[
    Role::CityAdmin,
    Role::InstitutionAdmin,
    Role::InstitutionStaff,
];
