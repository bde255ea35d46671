//! Credentials: argon2id password hashes, opaque bearer tokens and the signed-in caller.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::domain::Role;

/// The caller of a request, resolved from its bearer token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The user account.
    pub user_id: Uuid,
    /// Its role.
    pub role: Role,
    /// The institution of an institution role.
    pub institution_id: Option<Uuid>,
    /// The trainee of a TRAINEE account.
    pub trainee_id: Option<Uuid>,
    /// The address the request came from, for the audit trail.
    pub client: Option<std::net::IpAddr>,
    /// The password was reset and must be changed before anything but `changePassword`,
    /// `logout` and `me` is answered.
    pub must_change_password: bool,
}

impl CurrentUser {
    /// True when `other` is the same account with the same rights (role, institution,
    /// trainee, password state), wherever the requests came from.
    pub fn same_account(&self, other: &Self) -> bool {
        self.user_id == other.user_id
            && self.role == other.role
            && self.institution_id == other.institution_id
            && self.trainee_id == other.trainee_id
            && self.must_change_password == other.must_change_password
    }
}

/// The token of the `Authorization: Bearer …` header, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// A new random secret (256 bits, URL-safe base64): session tokens, activation codes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: a SHA-256 hex digest, so a database leak yields no sessions.
pub fn secret_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id hashing on the blocking pool, with a bound on concurrent hashes so that a
/// login flood cannot starve the runtime's blocking threads.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Hash verified when the user is unknown, so both failures take the same time.
    dummy_hash: Arc<str>,
}

impl Passwords {
    /// Builds the hasher; computes the dummy hash once.
    pub fn new(max_concurrent: usize) -> anyhow::Result<Self> {
        let dummy = hash_blocking(&new_secret())?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: dummy.into(),
        })
    }

    /// Hashes `password` with a fresh salt.
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| hash_blocking(&password)))
            .await
            .context("hashing task failed")?
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no
    /// stored hash (unknown user); false in that case.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
        let known = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let span = tracing::Span::current();
        let matched = tokio::task::spawn_blocking(move || {
            span.in_scope(|| {
                let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("{e}"))?;
                let argon2 = argon2()?;
                Ok::<_, anyhow::Error>(returning_memory(|| {
                    argon2.verify_password(password.as_bytes(), &parsed).is_ok()
                }))
            })
        })
        .await
        .context("verification task failed")??;
        Ok(known && matched)
    }
}

/// argon2id with OWASP's recommended minimum: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    returning_memory(|| {
        Ok(argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .to_string())
    })
}

/// Runs an argon2id computation, then returns its 19 MiB to the system at once: the
/// blocking thread it ran on may idle for a long time (see [`crate::memory::return_freed`]).
fn returning_memory<T>(argon2id: impl FnOnce() -> T) -> T {
    let out = argon2id();
    crate::memory::return_freed();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let passwords = Passwords::new(1).unwrap();
        assert!(!passwords.verify("anything at all", None).await.unwrap());
    }

    #[test]
    fn bearer_token_is_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }
}
