//! `createInstitution`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::CreateInstitutionInput;
use crate::graphql::types::Institution;
use crate::service::{Deps, institution};

/// Mutations on institutions (CITY_ADMIN).
#[derive(Default)]
pub struct InstitutionMutation;

#[Object]
impl InstitutionMutation {
    /// Registers an institution; a credit code already registered is a `CONFLICT`.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin])")]
    async fn create_institution(
        &self,
        ctx: &Context<'_>,
        input: CreateInstitutionInput,
    ) -> Result<Institution> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse(&deps.districts)?;
        Ok(institution::create(&deps.db, caller(ctx)?, input)
            .await?
            .into())
    }
}
