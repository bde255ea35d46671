//! `revokeCertificate`.

use async_graphql::{Context, Object, Result};

use crate::domain::{CertificateNumber, Role, Title};
use crate::error::OnField;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::RevokeCertificateInput;
use crate::graphql::types::Certificate;
use crate::service::{Deps, certificate};

/// Mutations on certificates.
#[derive(Default)]
pub struct CertificateMutation;

#[Object]
impl CertificateMutation {
    /// Revokes a certificate (CITY_ADMIN any, INSTITUTION_ADMIN its own issued). A revoked
    /// certificate never counts. Revoking again changes nothing.
    #[graphql(guard = "RoleGuard::new(&[Role::CityAdmin, Role::InstitutionAdmin])")]
    async fn revoke_certificate(
        &self,
        ctx: &Context<'_>,
        input: RevokeCertificateInput,
    ) -> Result<Certificate> {
        let deps = ctx.data::<Deps>()?;
        let number = CertificateNumber::parse(&input.number).on("number")?;
        let reason = Title::parse(&input.reason).on("reason")?;
        Ok(certificate::revoke(&deps.db, caller(ctx)?, &number, reason)
            .await?
            .into())
    }
}
