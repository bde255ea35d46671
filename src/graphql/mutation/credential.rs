//! `recordSkillCertificate`, `recordSubsidyClaim`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{RecordSkillCertificateInput, RecordSubsidyClaimInput};
use crate::graphql::types::{Certificate, SubsidyClaim};
use crate::service::{Deps, credential, subsidy};

/// Mutations on national credentials and the subsidy paid on them.
#[derive(Default)]
pub struct CredentialMutation;

#[Object]
impl CredentialMutation {
    /// Records a national skill-level or special-ability certificate: by a user of an
    /// evaluation organisation (`Institution.evaluator`) for a trainee it owns, or by
    /// CITY_ADMIN naming the organisation. The national number is checked offline and is
    /// unique (`CONFLICT` on `nationalNumber`). The certificate counts like any other, on
    /// HOST for LIVESTREAM_SELLER and on PROFESSIONAL for the other sub-types, in the
    /// programmes whose `countedKinds` hold its kind.
    #[graphql(
        guard = "RoleGuard::new(&[Role::CityAdmin, Role::InstitutionAdmin, Role::InstitutionStaff])"
    )]
    async fn record_skill_certificate(
        &self,
        ctx: &Context<'_>,
        input: RecordSkillCertificateInput,
    ) -> Result<Certificate> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(credential::record(&deps.db, caller(ctx)?, input)
            .await?
            .into())
    }

    /// Records a skill-upgrade subsidy the city paid on a skill-level certificate
    /// (CITY_ADMIN). Refused unless the certificate is eligible on `paidOn` (the rules of
    /// `subsidyEligibility`) and the amount at most its level's.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin])")]
    async fn record_subsidy_claim(
        &self,
        ctx: &Context<'_>,
        input: RecordSubsidyClaimInput,
    ) -> Result<SubsidyClaim> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        let (claim, cert) = subsidy::record(&deps.db, caller(ctx)?, &deps.subsidy, input).await?;
        Ok(SubsidyClaim::new(claim, cert))
    }
}
