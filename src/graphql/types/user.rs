//! `User` and `Session`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{Institution, Role, load, stored};
use crate::domain;
use crate::entity::user;
use crate::service::account::NewSession;

/// An account.
pub struct User(pub user::Model);

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl User {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// Role.
    async fn role(&self) -> Result<Role> {
        stored::<domain::Role>(&self.0.role).map(Into::into)
    }
    /// Institution of an institution role.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Option<Institution>> {
        match self.0.institution_id {
            Some(id) => Ok(load(ctx, |l| &l.institution, id).await?.map(Into::into)),
            None => Ok(None),
        }
    }
}

/// A signed-in session: send `token` as `Authorization: Bearer <token>`.
pub struct Session(pub NewSession);

#[Object]
impl Session {
    /// Bearer token; shown once.
    async fn token(&self) -> &str {
        &self.0.token
    }
    /// When the token stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// The signed-in account.
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
}
