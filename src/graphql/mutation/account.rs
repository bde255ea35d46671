//! `login`, `logout`, `createUser`, `activateTraineeAccount`.

use async_graphql::{Context, Object, Result};

use crate::auth::CurrentUser;
use crate::domain::{Password, Role, Username};
use crate::error::{AppError, OnField};
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{ActivateTraineeInput, CreateUserInput, LoginInput};
use crate::graphql::types::{Session, User};
use crate::graphql::{BearerToken, ClientAddr};
use crate::service::{Deps, account};

/// Who may create accounts: CITY_ADMIN any, INSTITUTION_ADMIN its staff.
const USER_CREATORS: &[Role] = &[Role::CityAdmin, Role::InstitutionAdmin];

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
    #[graphql(guard = "RoleGuard::new(USER_CREATORS)")]
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
}
