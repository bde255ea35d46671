//! `trainees`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::TraineeFilter;
use crate::graphql::types::{ListConnection, Trainee, connection, page_request};
use crate::service::{Deps, trainee};

/// Roles that may list trainees (masked): CITY_ANALYST sees aggregates only.
const READERS: &[Role] = &[
    Role::CityAdmin,
    Role::InstitutionAdmin,
    Role::InstitutionStaff,
    Role::Trainee,
];

/// Queries about trainees.
#[derive(Default)]
pub struct TraineeQuery;

#[Object]
impl TraineeQuery {
    /// Trainees, masked: all for CITY_ADMIN, the own institution's for institution staff,
    /// oneself for a TRAINEE.
    #[graphql(guard = "RoleGuard::new(READERS)")]
    async fn trainees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<TraineeFilter>,
    ) -> Result<ListConnection<Trainee>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse(&deps.districts)?;
        let rows = trainee::list(&deps.db, &deps.pii, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, Trainee::from))
    }
}
