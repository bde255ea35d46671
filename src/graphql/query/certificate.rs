//! `myCertificates`, `verifyCertificate`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::error::AppError;
use crate::graphql::ClientAddr;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::types::{Certificate, CertificateVerification};
use crate::service::{Deps, certificate, rate_limit};

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
        if let Some(ClientAddr(addr)) = ctx.data_opt::<ClientAddr>()
            && !deps.verify_limiter.check(addr).await?
        {
            let refusal = AppError::RateLimited {
                retry_after: deps.verify_limiter.window_secs(),
            };
            return Err(rate_limit::refused("verification", refusal).into());
        }
        let found = certificate::verify(&deps.db, &number, &holder_name).await?;
        Ok(CertificateVerification::new(
            number,
            found,
            deps.clock.utc_now(),
        ))
    }
}
