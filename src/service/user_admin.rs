//! Account administration: the `users` list, deactivation, reactivation and password
//! resets, as the permission table allows (CITY_ADMIN any other account, an
//! INSTITUTION_ADMIN its own institution's staff).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, Unchanged,
};
use tracing::instrument;
use uuid::Uuid;

use super::account::end_sessions;
use super::audit::{self, write_transaction};
use super::page::{self, Page, PageRequest};
use super::{Deps, access, now};
use crate::auth::{CurrentUser, new_secret};
use crate::domain::Role;
use crate::entity::user;
use crate::error::AppError;

/// Filters of [`list`].
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Only accounts of this institution.
    pub institution_id: Option<Uuid>,
    /// Only accounts of this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
}

/// A reset password: the account and the temporary password, shown once.
#[derive(Debug)]
pub struct PasswordReset {
    /// The account, now required to change its password.
    pub user: user::Model,
    /// The temporary password.
    pub temporary_password: String,
}

/// Accounts the caller may administer: all for CITY_ADMIN, the own institution's for an
/// INSTITUTION_ADMIN (another institution in the filter gives an empty list, as in
/// `courses`); `Forbidden` for every other role.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: UserFilter,
    page: PageRequest,
) -> Result<Page<user::Model>, AppError> {
    let mut select = user::Entity::find();
    match actor.role {
        Role::CityAdmin => {}
        Role::InstitutionAdmin => {
            let own = access::own_institution(actor)?;
            select = select.filter(user::Column::InstitutionId.eq(own));
        }
        _ => return Err(AppError::Forbidden),
    }
    if let Some(id) = filter.institution_id {
        select = select.filter(user::Column::InstitutionId.eq(id));
    }
    if let Some(role) = filter.role {
        select = select.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        select = select.filter(user::Column::Active.eq(active));
    }
    page::fetch(db, select, user::Column::Id, page).await
}

/// Deactivates an account and ends every session of it at once; its login then answers
/// as a wrong password. Deactivating a deactivated account changes nothing more.
#[instrument(skip_all, fields(user.id = %id))]
pub async fn deactivate(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<user::Model, AppError> {
    set_active(db, actor, id, false).await
}

/// Reactivates an account: it can sign in again (its ended sessions stay ended).
#[instrument(skip_all, fields(user.id = %id))]
pub async fn reactivate(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<user::Model, AppError> {
    set_active(db, actor, id, true).await
}

async fn set_active(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
    active: bool,
) -> Result<user::Model, AppError> {
    may_administer(actor)?;
    let txn = write_transaction(db).await?;
    lock_manageable(&txn, actor, id).await?;
    let user = user::ActiveModel {
        id: Unchanged(id),
        active: Set(active),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let action = if active {
        "reactivateUser"
    } else {
        end_sessions(&txn, id).await?;
        "deactivateUser"
    };
    audit::wrote(&txn, actor, action, "user", [id]).await?;
    super::commit(txn).await?;
    Ok(user)
}

/// Gives an account a new random password that must be changed at its next sign-in, and
/// ends its sessions.
#[instrument(skip_all, fields(user.id = %id))]
pub async fn reset_password(
    deps: &Deps,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<PasswordReset, AppError> {
    may_administer(actor)?;
    let temporary_password = new_secret();
    let password_hash = deps.passwords.hash(&temporary_password).await?;
    let txn = write_transaction(&deps.db).await?;
    lock_manageable(&txn, actor, id).await?;
    let user = user::ActiveModel {
        id: Unchanged(id),
        password_hash: Set(password_hash),
        must_change_password: Set(true),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    end_sessions(&txn, id).await?;
    audit::wrote(&txn, actor, "resetPassword", "user", [id]).await?;
    super::commit(txn).await?;
    Ok(PasswordReset {
        user,
        temporary_password,
    })
}

/// Passes for the roles that administer accounts.
fn may_administer(actor: &CurrentUser) -> Result<(), AppError> {
    match actor.role {
        Role::CityAdmin | Role::InstitutionAdmin => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Locks the rows of the caller and of account `id` (in id order, so that two admins
/// acting on each other cannot deadlock) and checks that the caller may administer it:
/// CITY_ADMIN any other account, an INSTITUTION_ADMIN the staff of its institution.
/// Another institution's account is answered as an unknown id. A caller deactivated by
/// a transaction that committed first is no longer signed in.
async fn lock_manageable(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<(), AppError> {
    if id == actor.user_id {
        return Err(AppError::Forbidden);
    }
    let mut ids = [actor.user_id, id];
    ids.sort_unstable();
    let mut target = None;
    for locked in ids {
        // A write of the row to itself: the row lock without a change.
        let row = user::Entity::update_many()
            .col_expr(user::Column::UpdatedAt, Expr::col(user::Column::UpdatedAt))
            .filter(user::Column::Id.eq(locked))
            .exec_with_returning(db)
            .await?
            .into_iter()
            .next();
        if locked == id {
            target = row;
        } else if !row.is_some_and(|caller| caller.active) {
            return Err(AppError::Unauthenticated);
        }
    }
    let target = target.ok_or_else(|| AppError::not_found("user", id))?;
    if actor.role == Role::InstitutionAdmin {
        if target.institution_id != Some(access::own_institution(actor)?) {
            return Err(AppError::not_found("user", id));
        }
        if target.role != Role::InstitutionStaff.as_str() {
            return Err(AppError::Forbidden);
        }
    }
    Ok(())
}
