//! The one way a request's caller becomes known: its bearer token and the session it
//! names, looked up again when a pooled connection turns out to be broken.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use sea_orm::DbBackend;

use super::AppState;
use super::refusal::Refusal;
use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use crate::graphql::Session;
use crate::graphql::transport;
use crate::service::sessions;

/// The caller of a request: its bearer token, if any, and the user of its session.
pub(super) struct Caller {
    /// The token of `Authorization: Bearer …`, live or not.
    pub(super) token: Option<String>,
    /// The signed-in user; `None` without a token or when it names no live session.
    pub(super) user: Option<CurrentUser>,
}

impl Caller {
    /// Reads the bearer token of `headers` and resolves its session.
    ///
    /// GraphQL calls this once its request is read, under the request's deadline (an
    /// anonymous caller is allowed there); routes that need a signed-in caller extract
    /// [`SignedIn`], which calls it first.
    pub(super) async fn of(state: &AppState, headers: &HeaderMap) -> Result<Self, AppError> {
        let token = auth::bearer_token(headers).map(str::to_owned);
        let user = match &token {
            Some(token) => session_of(state, token).await?,
            None => None,
        };
        Ok(Self { token, user })
    }
}

/// The caller of a GraphQL request: as [`Caller::of`], except that for a request whose
/// one root field is `enrol`, on PostgreSQL, an institution role's session looked up
/// before is taken from memory, unconfirmed: the write confirms it (see
/// [`crate::service::sessions`]).
pub(super) async fn of_graphql(
    state: &AppState,
    headers: &HeaderMap,
    request: &mut async_graphql::Request,
) -> Result<Session, AppError> {
    if let Some(token) = auth::bearer_token(headers)
        && state.deps.db.get_database_backend() == DbBackend::Postgres
        && let Some((user, session)) = state.deps.known_sessions.recall(token)
        && user.role.is_institution()
        && !user.must_change_password
        && transport::is_lone_mutation(request, "enrol")
    {
        return Ok(Session {
            user: Some(user),
            token: Some(token.to_owned()),
            unconfirmed: Some(session),
        });
    }
    let caller = Caller::of(state, headers).await?;
    Ok(Session {
        user: caller.user,
        token: caller.token,
        unconfirmed: None,
    })
}

/// The signed-in caller of a route without an anonymous answer; anyone else is refused
/// with 401 (`UNAUTHENTICATED`), and an account that must change its password first with
/// 403 (`PASSWORD_CHANGE_REQUIRED`).
pub(super) struct SignedIn(pub(super) CurrentUser);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        match Caller::of(state, &parts.headers).await?.user {
            Some(user) if user.must_change_password => Err(AppError::PasswordChangeRequired.into()),
            Some(user) => Ok(Self(user)),
            None => Err(AppError::Unauthenticated.into()),
        }
    }
}

/// The caller of `token`, looked up again on a fresh connection when a pooled one
/// turns out to be broken (as the GraphQL execution itself is).
async fn session_of(state: &AppState, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let mut attempt = 1;
    loop {
        match sessions::look_up(&state.deps.db, &state.deps.known_sessions, token).await {
            Err(err) if err.is_connection_lost() && attempt < state.max_attempts => {
                attempt += 1;
                tracing::warn!(
                    attempt,
                    "database connection lost: looking the session up again"
                );
            }
            other => return other,
        }
    }
}
