//! Role guards: the columns of DESIGN.md's permission table. Tenant checks (whose record)
//! live in the services.

use async_graphql::{Context, Guard, Result};

use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::error::AppError;

/// City staff and institution staff: readers of programmes, institutions, courses, counts.
pub const STAFF: &[Role] = &[
    Role::CityAdmin,
    Role::CityAnalyst,
    Role::InstitutionAdmin,
    Role::InstitutionStaff,
];
/// Administrators of accounts: CITY_ADMIN any, INSTITUTION_ADMIN its own staff.
pub const ACCOUNT_ADMINS: &[Role] = &[Role::CityAdmin, Role::InstitutionAdmin];
/// Institution staff: the writers of trainees and enrolments.
pub const INSTITUTION: &[Role] = &[Role::InstitutionAdmin, Role::InstitutionStaff];

/// Admits callers whose role is in the list; `UNAUTHENTICATED` without a session.
pub struct RoleGuard(&'static [Role]);

impl RoleGuard {
    /// A guard admitting `roles`.
    pub fn new(roles: &'static [Role]) -> Self {
        Self(roles)
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let actor = caller(ctx)?;
        if self.0.contains(&actor.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden.into())
        }
    }
}

/// The signed-in caller, or `UNAUTHENTICATED`.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a CurrentUser> {
    ctx.data_opt::<CurrentUser>()
        .ok_or_else(|| AppError::Unauthenticated.into())
}
