//! `createProgramme`, `setTarget`, `closeProgramme`.

use async_graphql::{Context, Object, Result};

use crate::domain::{Role, TargetCount};
use crate::error::OnField;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{CreateProgrammeInput, ProgrammeIdInput, SetTargetInput};
use crate::graphql::types::{Programme, parse_id};
use crate::service::{Deps, programme};

/// Mutations on programmes (CITY_ADMIN).
#[derive(Default)]
pub struct ProgrammeMutation;

#[Object]
impl ProgrammeMutation {
    /// Creates a programme with its targets.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin])")]
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: CreateProgrammeInput,
    ) -> Result<Programme> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(programme::create(&deps.db, caller(ctx)?, input)
            .await?
            .into())
    }

    /// Sets or replaces the target of one track.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin])")]
    async fn set_target(&self, ctx: &Context<'_>, input: SetTargetInput) -> Result<Programme> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("programmeId", &input.programme_id)?;
        let target = TargetCount::parse(input.target).on("target")?;
        Ok(
            programme::set_target(&deps.db, caller(ctx)?, id, input.track.into(), target)
                .await?
                .into(),
        )
    }

    /// Closes a programme after its last day, freezing its final figures.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin])")]
    async fn close_programme(
        &self,
        ctx: &Context<'_>,
        input: ProgrammeIdInput,
    ) -> Result<Programme> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("programmeId", &input.programme_id)?;
        Ok(programme::close(&deps.db, caller(ctx)?, id).await?.into())
    }
}
