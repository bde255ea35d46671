//! `login`, `logout`, `createUser`, `activateTraineeAccount`, and account
//! administration: `deactivateUser`, `reactivateUser`, `resetPassword`,
//! `changePassword`, `reissueActivationCode`.

use async_graphql::{Context, Object, Result};

use crate::auth::CurrentUser;
use crate::domain::{Password, Username};
use crate::error::{AppError, OnField};
use crate::graphql::guards::{ACCOUNT_ADMINS, INSTITUTION, RoleGuard, caller};
use crate::graphql::inputs::{
    ActivateTraineeInput, ChangePasswordInput, CreateUserInput, LoginInput, TraineeIdInput,
    UserIdInput,
};
use crate::graphql::types::{ActivationCode, PasswordReset, Session, User, parse_id};
use crate::graphql::{BearerToken, ClientAddr};
use crate::service::{Deps, account, activation, password, user_admin};

/// Mutations on accounts and sessions.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in; the same error for an unknown user and a wrong password. Repeated
    /// failures on an account or from one client address are `RATE_LIMITED` for a while.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<Session> {
        let deps = ctx.data::<Deps>()?;
        let client = ctx.data_opt::<ClientAddr>().map(|addr| addr.0);
        Ok(Session(
            account::login(deps, client, &input.username, &input.password).await?,
        ))
    }

    /// Ends the current session; false when there was none.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let deps = ctx.data::<Deps>()?;
        if ctx.data_opt::<CurrentUser>().is_none() {
            return Ok(false);
        }
        match ctx.data_opt::<BearerToken>() {
            Some(token) => Ok(account::logout(&deps.db, caller(ctx)?, &token.0).await?),
            None => Ok(false),
        }
    }

    /// Creates an account: CITY_ADMIN any city or institution role, INSTITUTION_ADMIN
    /// staff of its own institution.
    #[graphql(guard = "RoleGuard::new(ACCOUNT_ADMINS)")]
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(account::create_user(deps, Some(caller(ctx)?), input)
            .await?
            .into())
    }

    /// Creates the TRAINEE account of a registered person with the one-time code from
    /// `registerTrainee`, and signs it in.
    async fn activate_trainee_account(
        &self,
        ctx: &Context<'_>,
        input: ActivateTraineeInput,
    ) -> Result<Session> {
        let deps = ctx.data::<Deps>()?;
        let client = ctx.data_opt::<ClientAddr>().map(|addr| addr.0);
        let username = Username::parse(&input.username).on("username")?;
        let password = Password::parse(&input.password).on("password")?;
        if input.activation_code.trim().is_empty() {
            return Err(AppError::validation(
                "activationCode",
                crate::domain::ValidationError::Empty,
            )
            .into());
        }
        Ok(Session(
            account::activate_trainee(
                deps,
                client,
                input.activation_code.trim(),
                username,
                password,
            )
            .await?,
        ))
    }

    /// Deactivates an account and ends all its sessions at once; its login then fails as
    /// with a wrong password. CITY_ADMIN any other account, INSTITUTION_ADMIN the staff of
    /// its institution (another institution's account is an unknown id).
    #[graphql(guard = "RoleGuard::new(ACCOUNT_ADMINS)")]
    async fn deactivate_user(&self, ctx: &Context<'_>, input: UserIdInput) -> Result<User> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("userId", &input.user_id)?;
        Ok(user_admin::deactivate(&deps.db, caller(ctx)?, id)
            .await?
            .into())
    }

    /// Reactivates a deactivated account: it can sign in again. Permissions as for
    /// `deactivateUser`.
    #[graphql(guard = "RoleGuard::new(ACCOUNT_ADMINS)")]
    async fn reactivate_user(&self, ctx: &Context<'_>, input: UserIdInput) -> Result<User> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("userId", &input.user_id)?;
        Ok(user_admin::reactivate(&deps.db, caller(ctx)?, id)
            .await?
            .into())
    }

    /// Gives an account a temporary password (shown once) and ends its sessions; the
    /// account must then change it before doing anything else. Permissions as for
    /// `deactivateUser`.
    #[graphql(guard = "RoleGuard::new(ACCOUNT_ADMINS)")]
    async fn reset_password(&self, ctx: &Context<'_>, input: UserIdInput) -> Result<PasswordReset> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("userId", &input.user_id)?;
        Ok(PasswordReset(
            user_admin::reset_password(deps, caller(ctx)?, id).await?,
        ))
    }

    /// Replaces the signed-in account's password. A wrong current password counts as a
    /// failed login (`RATE_LIMITED` past the limit). Ends every session of the account,
    /// this one included, and returns a new one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<Session> {
        let deps = ctx.data::<Deps>()?;
        let actor = caller(ctx)?;
        let new = Password::parse(&input.new_password).on("newPassword")?;
        Ok(Session(
            password::change_password(deps, actor, &input.current_password, new).await?,
        ))
    }

    /// Issues a new activation code for a trainee of the caller's institution who has no
    /// account yet; the previous code stops working.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn reissue_activation_code(
        &self,
        ctx: &Context<'_>,
        input: TraineeIdInput,
    ) -> Result<ActivationCode> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("traineeId", &input.trainee_id)?;
        Ok(ActivationCode(
            activation::reissue(deps, caller(ctx)?, id).await?,
        ))
    }
}
