//! `me`, `users`.

use async_graphql::{Context, Object, Result};

use crate::auth::CurrentUser;
use crate::graphql::guards::{ACCOUNT_ADMINS, RoleGuard, caller};
use crate::graphql::inputs::UserFilter;
use crate::graphql::types::{ListConnection, User, connection, page_request};
use crate::service::{Deps, account, user_admin};

/// Queries about accounts.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in account; null when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(caller) = ctx.data_opt::<CurrentUser>() else {
            return Ok(None);
        };
        let deps = ctx.data::<Deps>()?;
        Ok(Some(
            account::get_user(&deps.db, caller.user_id).await?.into(),
        ))
    }

    /// Accounts: all for CITY_ADMIN, the own institution's for an INSTITUTION_ADMIN.
    #[graphql(guard = "RoleGuard::new(ACCOUNT_ADMINS)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<UserFilter>,
    ) -> Result<ListConnection<User>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let rows = user_admin::list(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, User::from))
    }
}
