//! `myCertificates`, `verifyCertificate`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::ClientAddr;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::types::{Certificate, CertificateVerification};
use crate::service::{Deps, certificate, verification};

/// Queries about certificates.
#[derive(Default)]
pub struct CertificateQuery;

#[Object]
impl CertificateQuery {
    /// The signed-in trainee's own certificates.
    #[graphql(guard = "RoleGuard::new(&[Role::Trainee])")]
    async fn my_certificates(&self, ctx: &Context<'_>) -> Result<Vec<Certificate>> {
        let deps = ctx.data::<Deps>()?;
        Ok(certificate::mine(&deps.db, caller(ctx)?)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Public check of a certificate by its number and the holder's full name. Shows only
    /// masked personal data; limited per client address (`RATE_LIMITED`).
    async fn verify_certificate(
        &self,
        ctx: &Context<'_>,
        number: String,
        holder_name: String,
    ) -> Result<CertificateVerification> {
        let deps = ctx.data::<Deps>()?;
        let client = ctx.data_opt::<ClientAddr>().map(|ClientAddr(addr)| *addr);
        let found = verification::check(deps, client, &number, &holder_name).await?;
        Ok(CertificateVerification::new(
            number,
            found,
            deps.clock.utc_now(),
        ))
    }
}
