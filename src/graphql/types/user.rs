//! `User`, `Session`, `PasswordReset` and `ActivationCode`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{Institution, Role, Trainee, load, stored};
use crate::domain;
use crate::entity::user;
use crate::service::account::NewSession;
use crate::service::{activation, user_admin};

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
    /// False once deactivated: the account cannot sign in and has no session.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// True after `resetPassword`: until `changePassword`, every operation but
    /// `changePassword`, `logout` and `me` answers `PASSWORD_CHANGE_REQUIRED`.
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
}

/// A reset password, shown once.
pub struct PasswordReset(pub user_admin::PasswordReset);

#[Object]
impl PasswordReset {
    /// The account; it must change its password at its next sign-in.
    async fn user(&self) -> User {
        User(self.0.user.clone())
    }
    /// The temporary password to hand to the account's owner; shown once.
    async fn temporary_password(&self) -> &str {
        &self.0.temporary_password
    }
}

/// A new activation code of a trainee, shown once.
pub struct ActivationCode(pub activation::Reissued);

#[Object]
impl ActivationCode {
    /// The person.
    async fn trainee(&self) -> Trainee {
        self.0.trainee.clone().into()
    }
    /// The code for `activateTraineeAccount`; the previous one no longer works.
    async fn activation_code(&self) -> &str {
        &self.0.code
    }
    /// When the code stops working (`TALENT_ACTIVATION_TTL_DAYS` after it was issued).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
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
