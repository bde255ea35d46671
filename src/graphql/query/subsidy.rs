//! `subsidyEligibility`.

use async_graphql::{Context, ID, Object, Result};

use crate::domain::{Role, programme_date};
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::types::{SubsidyDecision, parse_id};
use crate::service::{Deps, subsidy};

/// Queries about the skill-upgrade subsidy.
#[derive(Default)]
pub struct SubsidyQuery;

#[Object]
impl SubsidyQuery {
    /// Whether each certificate of the trainee may be claimed for the skill-upgrade
    /// subsidy today, with every rule passed or not. CITY_ADMIN any trainee, institution
    /// users the trainees their institution owns, a trainee their own.
    #[graphql(
        guard = "RoleGuard::new(&[Role::CityAdmin, Role::InstitutionAdmin, Role::InstitutionStaff, Role::Trainee])"
    )]
    async fn subsidy_eligibility(
        &self,
        ctx: &Context<'_>,
        trainee_id: ID,
    ) -> Result<Vec<SubsidyDecision>> {
        let deps = ctx.data::<Deps>()?;
        let trainee_id = parse_id("traineeId", &trainee_id)?;
        let today = programme_date(deps.clock.utc_now());
        Ok(
            subsidy::eligibility(&deps.db, caller(ctx)?, &deps.subsidy, trainee_id, today)
                .await?
                .into_iter()
                .map(|(cert, decision)| SubsidyDecision::new(cert, decision))
                .collect(),
        )
    }
}
