//! `enrolments`, `certificates`: the lists an institution works from.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{CertificateFilter, EnrolmentFilter};
use crate::graphql::types::{Certificate, Enrolment, ListConnection, connection, page_request};
use crate::service::{Deps, roster};

/// Roles that may list people's enrolments and certificates: CITY_ANALYST reads
/// aggregates only.
pub const READERS: &[Role] = &[
    Role::CityAdmin,
    Role::InstitutionAdmin,
    Role::InstitutionStaff,
    Role::Trainee,
];

/// Queries of rosters and certificates.
#[derive(Default)]
pub struct RosterQuery;

#[Object]
impl RosterQuery {
    /// Enrolments, oldest first: all for CITY_ADMIN, those in the own institution's
    /// courses for institution staff, the own for a TRAINEE.
    #[graphql(guard = "RoleGuard::new(READERS)")]
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<EnrolmentFilter>,
    ) -> Result<ListConnection<Enrolment>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let rows = roster::enrolments(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, Enrolment::from))
    }

    /// Certificates, oldest first: all for CITY_ADMIN, those the own institution issued
    /// for institution staff, the own for a TRAINEE.
    #[graphql(guard = "RoleGuard::new(READERS)")]
    async fn certificates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<CertificateFilter>,
    ) -> Result<ListConnection<Certificate>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let now = deps.clock.utc_now();
        let rows = roster::certificates(&deps.db, caller(ctx)?, filter, now, page).await?;
        Ok(connection(rows, |m| m.id, Certificate::from))
    }
}
