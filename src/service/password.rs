//! `changePassword`: the signed-in account replaces its own password.

use sea_orm::{ActiveModelTrait, Set, TransactionTrait, Unchanged};
use tracing::instrument;

use super::account::{NewSession, end_sessions, get_user, open_session, throttled};
use super::{Deps, audit, now};
use crate::auth::CurrentUser;
use crate::domain::{Password, ValidationError};
use crate::entity::user;
use crate::error::AppError;

/// Replaces the caller's password. The current password is checked and throttled like a
/// login (a wrong one counts as a failed login of the account); on success every session
/// of the account ends, the one of this request included, and a new session is returned.
/// Clears the duty to change the password after a reset.
#[instrument(skip_all, fields(user.id = %actor.user_id))]
pub async fn change_password(
    deps: &Deps,
    actor: &CurrentUser,
    current: &str,
    new: Password,
) -> Result<NewSession, AppError> {
    let account = get_user(&deps.db, actor.user_id).await?;
    let attempt = deps
        .login_throttle
        .attempt(Some(&account.username), actor.client)
        .await?
        .ok_or_else(throttled)?;
    match deps
        .passwords
        .verify(current, Some(&account.password_hash))
        .await
    {
        Ok(true) => attempt.succeeded().await,
        Ok(false) => {
            attempt.failed();
            return Err(AppError::validation(
                "currentPassword",
                ValidationError::InvalidFormat("is not the account's password"),
            ));
        }
        Err(err) => {
            attempt.not_counted().await;
            return Err(err.into());
        }
    }
    if new.expose() == current {
        return Err(AppError::validation(
            "newPassword",
            ValidationError::InvalidFormat("must differ from the current password"),
        ));
    }
    let password_hash = deps.passwords.hash(new.expose()).await?;
    let txn = deps.db.begin().await?;
    let account = user::ActiveModel {
        id: Unchanged(account.id),
        password_hash: Set(password_hash),
        must_change_password: Set(false),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    end_sessions(&txn, account.id).await?;
    let session = open_session(&txn, deps.session_ttl, account).await?;
    audit::wrote(&txn, actor, "changePassword", "user", [actor.user_id]).await?;
    super::commit(txn).await?;
    Ok(session)
}
