//! The sessions the server looked up, remembered for one use: an `enrol` by a caller
//! whose session is remembered is written by one statement that checks the session
//! itself as it writes ([`LIVE`], in [`crate::service::enrolment::at_once`]), instead of
//! a lookup first and the write after.
//!
//! The memory is never the answer, only a guess the write confirms. The HTTP edge takes
//! a session from memory only for a request whose one root field is `enrol`, by an
//! institution role that need not change its password ([`Unconfirmed`]); every other
//! request looks its session up. When the guarded write writes nothing (the session
//! ended, the account changed, or anything else the statement checks), `enrol` looks the
//! session up ([`confirm`]) before it reads, writes or answers anything else, and when
//! the caller is not the one remembered, the request runs again from the start with the
//! caller as looked up, as if nothing had been remembered.

use sea_orm::{ConnectionTrait, Value};

use crate::auth::{CurrentUser, secret_digest};
use crate::error::AppError;
use crate::service::memo::Memo;
use crate::service::{account, now};

/// At most this many sessions are remembered (about 200 bytes each).
const SESSIONS: usize = 4096;

/// See the module's documentation: callers by their token's digest. One per process (in
/// [`crate::service::Deps`]). Not `Debug`: nothing of a session is printed.
pub struct KnownSessions(Memo<String, CurrentUser>);

impl Default for KnownSessions {
    fn default() -> Self {
        Self(Memo::new(SESSIONS))
    }
}

impl KnownSessions {
    /// The caller of `token` as last looked up, if any.
    pub fn recall(&self, token: &str) -> Option<(CurrentUser, Unconfirmed)> {
        let digest = secret_digest(token);
        let user = self.0.recall(&digest)?;
        Some((user, Unconfirmed { digest }))
    }
}

/// The session of a request's caller was taken from memory, not looked up: its token's
/// digest, for the write that confirms it.
#[derive(Clone)]
pub struct Unconfirmed {
    digest: String,
}

impl std::fmt::Debug for Unconfirmed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unconfirmed").finish_non_exhaustive()
    }
}

/// The caller behind `token`, when it names a live session of an active account (see
/// [`account::authenticate_digest`]), remembered for the next request, or forgotten.
pub async fn look_up(
    db: &impl ConnectionTrait,
    known: &KnownSessions,
    token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let digest = secret_digest(token);
    let user = account::authenticate_digest(db, &digest).await?;
    match &user {
        Some(user) => known.0.remember(digest, user.clone()),
        None => known.0.forget(&digest),
    }
    Ok(user)
}

/// Looks the `session` of `actor` up: `SessionChanged` unless it is live and its
/// account is `actor`'s, with the same rights.
pub async fn confirm(
    db: &impl ConnectionTrait,
    session: &Unconfirmed,
    actor: &CurrentUser,
) -> Result<(), AppError> {
    match account::authenticate_digest(db, &session.digest).await? {
        Some(user) if user.same_account(actor) => Ok(()),
        _ => Err(AppError::SessionChanged),
    }
}

/// A condition true when the session is live (not revoked or expired) and its account
/// active and as remembered, with [`live_values`].
pub const LIVE: &str = "EXISTS (SELECT 1 FROM session s JOIN \"user\" u ON u.id = s.user_id \
     WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active \
     AND u.id = ? AND u.role = ? AND u.institution_id IS NOT DISTINCT FROM ? \
     AND u.trainee_id IS NOT DISTINCT FROM ? AND u.must_change_password = ?)";

/// The values of [`LIVE`]'s parameters, in order.
pub fn live_values(session: &Unconfirmed, actor: &CurrentUser) -> Vec<Value> {
    vec![
        session.digest.clone().into(),
        now().into(),
        actor.user_id.into(),
        actor.role.as_str().to_owned().into(),
        actor.institution_id.into(),
        actor.trainee_id.into(),
        actor.must_change_password.into(),
    ]
}
