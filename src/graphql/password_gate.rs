//! After `resetPassword`, the account may only change its password: every root field but
//! `changePassword`, `logout` and `me` answers `PASSWORD_CHANGE_REQUIRED`. Checked here,
//! once for every root field of every operation, so a field added later is covered
//! without a line of its own (the CSV and other HTTP routes refuse in `http/caller.rs`).
//! Registered only on the schema served to such accounts ([`crate::graphql::Api`]): an
//! extension sends every field of every answer through its chain, which the others
//! need not pay for.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{PathSegment, ServerResult, Value};

use crate::auth::CurrentUser;
use crate::error::AppError;

/// Root fields an account that must change its password may still use.
const ALLOWED: &[&str] = &["changePassword", "logout", "me"];

/// The extension that refuses the other root fields.
pub struct PasswordChangeGate;

impl ExtensionFactory for PasswordChangeGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Self)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for PasswordChangeGate {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let root = info.path_node.parent.is_none();
        let must_change = ctx
            .data_opt::<CurrentUser>()
            .is_some_and(|caller| caller.must_change_password);
        // Introspection (`__schema`, `__typename`) shows the schema, not data.
        if root && must_change && !info.name.starts_with("__") && !ALLOWED.contains(&info.name) {
            let mut error = async_graphql::Error::from(AppError::PasswordChangeRequired)
                .into_server_error(info.field.name.pos);
            let key = info.alias.unwrap_or(info.name);
            error.path = vec![PathSegment::Field(key.to_owned())];
            return Err(error);
        }
        next.run(ctx, info).await
    }
}
