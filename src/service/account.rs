//! Accounts and sessions: login, logout, token resolution, user creation, trainee activation.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::audit::{self, Actor};
use super::rate_limit::LOGIN_FAILURE_WINDOW;
use super::{Deps, access, now};
use crate::auth::{CurrentUser, new_secret, secret_digest};
use crate::domain::{Password, Role, Username, ValidationError};
use crate::entity::{session, trainee, user};
use crate::error::{AppError, map_unique_violation};

/// A new session: the bearer token is shown once and stored only as a digest.
#[derive(Debug)]
pub struct NewSession {
    /// The bearer token.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The signed-in account.
    pub user: user::Model,
}

/// Input of [`create_user`].
#[derive(Debug)]
pub struct NewUser {
    /// Login name.
    pub username: Username,
    /// Password.
    pub password: Password,
    /// Role of the account.
    pub role: Role,
    /// Institution of an institution role.
    pub institution_id: Option<Uuid>,
}

/// Signs in. Unknown user and wrong password give the same error after the same work.
/// Too many failures on the account or from `client` are `RateLimited` without hashing.
#[instrument(skip_all, fields(user.name = %username))]
pub async fn login(
    deps: &Deps,
    client: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Result<NewSession, AppError> {
    let name = Username::parse(username).ok();
    let attempt = deps
        .login_throttle
        .attempt(name.as_ref().map(Username::as_str), client)
        .await?
        .ok_or_else(throttled)?;
    let checked = check_password(deps, name.as_ref(), password).await;
    match checked {
        Ok(Some(user)) => {
            attempt.succeeded().await;
            let txn = deps.db.begin().await?;
            let session = open_session(&txn, deps.session_ttl, user).await?;
            audit::wrote(
                &txn,
                signed_in(&session.user, client)?,
                "login",
                "user",
                [session.user.id],
            )
            .await?;
            super::commit(txn).await?;
            Ok(session)
        }
        Ok(None) => {
            attempt.failed();
            Err(AppError::InvalidCredentials)
        }
        Err(err) => {
            attempt.not_counted().await;
            Err(err)
        }
    }
}

/// The answer to a login (or a password check) past the failure limits.
pub(super) fn throttled() -> AppError {
    let refusal = AppError::RateLimited {
        retry_after: LOGIN_FAILURE_WINDOW
            .as_secs()
            .try_into()
            .unwrap_or(u32::MAX),
    };
    super::rate_limit::refused("login", refusal)
}

/// The account of `name` when `password` is its password.
async fn check_password(
    deps: &Deps,
    name: Option<&Username>,
    password: &str,
) -> Result<Option<user::Model>, AppError> {
    let found = match name {
        Some(name) => {
            user::Entity::find()
                .filter(user::Column::Username.eq(name.as_str()))
                .one(&deps.db)
                .await?
        }
        None => None,
    };
    let verified = deps
        .passwords
        .verify(password, found.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    // A deactivated account is answered as a wrong password, after the same work.
    Ok(found.filter(|user| verified && user.active))
}

/// Stores a new session for `user`.
pub(super) async fn open_session(
    db: &impl ConnectionTrait,
    ttl: chrono::Duration,
    user: user::Model,
) -> Result<NewSession, AppError> {
    let token = new_secret();
    let created_at = now();
    let expires_at = created_at + ttl;
    session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        token_hash: Set(secret_digest(&token)),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        created_at: Set(created_at),
    }
    .insert(db)
    .await?;
    Ok(NewSession {
        token,
        expires_at,
        user,
    })
}

/// The actor of a user who has just signed in.
fn signed_in(user: &user::Model, client: Option<IpAddr>) -> Result<Actor, AppError> {
    Ok(Actor {
        user_id: Some(user.id),
        role: Some(parse_role(&user.role)?),
        client,
    })
}

/// Revokes the session of `token`; true when a live session was revoked.
#[instrument(skip_all)]
pub async fn logout(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    token: &str,
) -> Result<bool, AppError> {
    let txn = db.begin().await?;
    let result = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, now().into())
        .filter(session::Column::TokenHash.eq(secret_digest(token)))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::wrote(&txn, actor, "logout", "user", [actor.user_id]).await?;
    super::commit(txn).await?;
    Ok(result.rows_affected > 0)
}

/// The caller behind the token of `digest` ([`secret_digest`]), when it names a live
/// session of an active account.
pub async fn authenticate_digest(
    db: &impl ConnectionTrait,
    digest: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(digest))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now()))
        .find_also_related(user::Entity)
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    let Some((_, Some(user))) = found else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        user_id: user.id,
        role: parse_role(&user.role)?,
        institution_id: user.institution_id,
        trainee_id: user.trainee_id,
        client: None,
        must_change_password: user.must_change_password,
    }))
}

/// Ends every live session of `user_id`, at once: the next request with any of its
/// tokens is `UNAUTHENTICATED`.
pub async fn end_sessions(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), AppError> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, now().into())
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// A stored role string as the domain enum.
pub fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown role {raw:?} in database")))
}

/// The account of `id`.
pub async fn get_user(db: &impl ConnectionTrait, id: Uuid) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user", id))
}

/// Creates an account as the permission table allows: a CITY_ADMIN any city or
/// institution role, an INSTITUTION_ADMIN staff of its own institution. `actor` is `None`
/// for the operator's own command line.
#[instrument(skip_all, fields(user.name = %input.username.as_str(), user.role = input.role.as_str()))]
pub async fn create_user(
    deps: &Deps,
    actor: Option<&CurrentUser>,
    input: NewUser,
) -> Result<user::Model, AppError> {
    if let Some(actor) = actor {
        match actor.role {
            Role::CityAdmin => {}
            Role::InstitutionAdmin => {
                let own = access::own_institution(actor)?;
                if input.role != Role::InstitutionStaff || input.institution_id != Some(own) {
                    return Err(AppError::Forbidden);
                }
            }
            _ => return Err(AppError::Forbidden),
        }
    }
    match (input.role, input.institution_id) {
        (Role::Trainee, _) => {
            return Err(AppError::validation(
                "role",
                ValidationError::InvalidFormat(
                    "TRAINEE accounts are created with activateTraineeAccount",
                ),
            ));
        }
        (role, None) if role.is_institution() => {
            return Err(AppError::validation(
                "institutionId",
                ValidationError::InvalidFormat("is required for an institution role"),
            ));
        }
        (role, Some(_)) if role.is_city() => {
            return Err(AppError::validation(
                "institutionId",
                ValidationError::InvalidFormat("must be empty for a city role"),
            ));
        }
        (_, Some(id)) => super::institution::get(&deps.db, id)
            .await
            .map(drop)
            .map_err(|_| AppError::not_found("institution", id))?,
        _ => {}
    }
    let password_hash = deps.passwords.hash(input.password.expose()).await?;
    let txn = deps.db.begin().await?;
    let created = insert_user(
        &txn,
        input.username.as_str(),
        password_hash,
        input.role,
        input.institution_id,
        None,
    )
    .await?;
    // The operator's command line has no signed-in user: an actor without one.
    let by = actor.map_or(
        Actor {
            user_id: None,
            role: None,
            client: None,
        },
        Actor::from,
    );
    audit::wrote(&txn, by, "createUser", "user", [created.id]).await?;
    super::commit(txn).await?;
    Ok(created)
}

async fn insert_user(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: String,
    role: Role,
    institution_id: Option<Uuid>,
    trainee_id: Option<Uuid>,
) -> Result<user::Model, AppError> {
    let at = now();
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.to_owned()),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        institution_id: Set(institution_id),
        trainee_id: Set(trainee_id),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(map_unique_violation)
}

/// Turns a one-time activation code into a TRAINEE account and signs it in. The code is
/// consumed in the same transaction, so it works once even under concurrent attempts; an
/// expired code is answered as an unknown one.
#[instrument(skip_all, fields(user.name = %username.as_str()))]
pub async fn activate_trainee(
    deps: &Deps,
    client: Option<IpAddr>,
    code: &str,
    username: Username,
    password: Password,
) -> Result<NewSession, AppError> {
    let password_hash = deps.passwords.hash(password.expose()).await?;
    let txn = deps.db.begin().await?;
    // Consume the code with one conditional write: of racing activations only one gets
    // the row, and on SQLite the transaction takes the write lock at its first statement.
    let consumed = trainee::Entity::update_many()
        .col_expr(
            trainee::Column::ActivationCodeHash,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .col_expr(
            trainee::Column::ActivationCodeIssuedAt,
            sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(trainee::Column::UpdatedAt, now().into())
        .filter(trainee::Column::ActivationCodeHash.eq(secret_digest(code)))
        .filter(trainee::Column::ActivationCodeIssuedAt.gt(super::activation::oldest_valid(deps)))
        .exec_with_returning(&txn)
        .await?;
    let Some(found) = consumed.into_iter().next() else {
        return Err(AppError::not_found("activation code", "given"));
    };
    let user = insert_user(
        &txn,
        username.as_str(),
        password_hash,
        Role::Trainee,
        None,
        Some(found.id),
    )
    .await?;
    let session = open_session(&txn, deps.session_ttl, user).await?;
    audit::wrote(
        &txn,
        signed_in(&session.user, client)?,
        "activateTraineeAccount",
        "user",
        [session.user.id],
    )
    .await?;
    super::commit(txn).await?;
    Ok(session)
}

/// Creates `admin` (CITY_ADMIN) when no CITY_ADMIN exists; returns whether it did.
pub async fn ensure_admin(
    db: &impl ConnectionTrait,
    deps: &Deps,
    password: &Password,
) -> Result<bool, AppError> {
    let exists = user::Entity::find()
        .filter(user::Column::Role.eq(Role::CityAdmin.as_str()))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let hash = deps.passwords.hash(password.expose()).await?;
    match insert_user(db, "admin", hash, Role::CityAdmin, None, None).await {
        Ok(_) => Ok(true),
        // Another replica bootstrapped concurrently.
        Err(AppError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
