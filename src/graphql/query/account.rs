//! `me`.

use async_graphql::{Context, Object, Result};

use crate::auth::CurrentUser;
use crate::graphql::types::User;
use crate::service::{Deps, account};

/// Queries about the signed-in account.
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
}
