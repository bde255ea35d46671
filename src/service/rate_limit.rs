//! Fixed-window rate limiting per key (client address, account).
//!
//! On SQLite the windows live in memory (one process per database file). On PostgreSQL
//! they are counted in the database ([`shared`]), so replicas behind a load balancer
//! admit each key's limit once between them. Either way a window starts at the key's
//! first hit and is read from an injectable [`Clock`].

mod shared;

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbBackend};

use crate::error::AppError;
use shared::SharedWindows;

/// Keys tracked before stale windows are swept.
const SWEEP_AT: usize = 10_000;

/// Counts a refusal by `limiter` (`login`, `verification`, `bulk`) in the
/// `rate_limit_refusals_total` metric and returns `refusal`.
pub fn refused<E>(limiter: &'static str, refusal: E) -> E {
    metrics::counter!("rate_limit_refusals_total", "limiter" => limiter).increment(1);
    refusal
}

/// The time the limiters read: the system's monotonic clock, moved on by whatever
/// [`Clock::advance`] added. Production never advances it; tests jump over a window
/// instead of sleeping through it. Clones share one offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Nanoseconds added to the system time.
    offset_nanos: Arc<AtomicU64>,
}

impl Clock {
    /// The system clock, not advanced.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant.
    pub fn now(&self) -> Instant {
        Instant::now() + Duration::from_nanos(self.offset_nanos.load(Ordering::Relaxed))
    }

    /// The current wall-clock time, moved on like [`Clock::now`]: the time of expiries
    /// that tests jump over (activation codes).
    pub fn utc_now(&self) -> chrono::DateTime<chrono::Utc> {
        let offset = self.offset_nanos.load(Ordering::Relaxed);
        super::now() + chrono::Duration::nanoseconds(i64::try_from(offset).unwrap_or(i64::MAX))
    }

    /// Moves this clock and its clones forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.offset_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Admits at most `limit` calls per key per `window`.
#[derive(Debug)]
pub struct RateLimiter<K> {
    limit: u32,
    window: Duration,
    clock: Clock,
    counts: Mutex<HashMap<K, (Instant, u32)>>,
    /// The windows in the database instead of `counts` (PostgreSQL).
    shared: Option<SharedWindows>,
}

impl<K: Eq + Hash + Clone + Display> RateLimiter<K> {
    /// A limiter of `limit` calls per `window` of `clock`, counting in memory.
    pub fn new(limit: u32, window: Duration, clock: Clock) -> Self {
        Self {
            limit,
            window,
            clock,
            counts: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// The same limiter counting in `db` under the key prefix `name` when `db` is
    /// PostgreSQL, so every replica on it shares the windows; in memory on SQLite.
    pub fn counted_in(mut self, db: &DatabaseConnection, name: &'static str) -> Self {
        if db.get_database_backend() == DbBackend::Postgres {
            self.shared = Some(SharedWindows::new(db.clone(), name));
        }
        self
    }

    /// The length of a window in whole seconds: the longest wait before a refused key is
    /// admitted again (`Retry-After`).
    pub fn window_secs(&self) -> u32 {
        self.window.as_secs().try_into().unwrap_or(u32::MAX)
    }

    /// Counts a call by `key`; false when the key is over its limit.
    pub async fn check(&self, key: &K) -> Result<bool, AppError> {
        let Some(shared) = &self.shared else {
            return Ok(self.check_at(key, self.clock.now()));
        };
        let now_ms = self.clock.utc_now().timestamp_millis();
        let window_ms = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        let hits = shared.hit(&key.to_string(), now_ms, window_ms).await?;
        Ok(hits <= self.limit)
    }

    /// Takes back one counted call of `key`: an attempt that turned out not to count.
    pub async fn forgive(&self, key: &K) -> Result<(), AppError> {
        if let Some(shared) = &self.shared {
            return shared.forgive(&key.to_string()).await;
        }
        if let Ok(mut counts) = self.counts.lock()
            && let Some(entry) = counts.get_mut(key)
        {
            entry.1 = entry.1.saturating_sub(1);
        }
        Ok(())
    }

    /// Forgets every call of `key`.
    pub async fn reset(&self, key: &K) -> Result<(), AppError> {
        if let Some(shared) = &self.shared {
            return shared.reset(&key.to_string()).await;
        }
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
        Ok(())
    }

    fn check_at(&self, key: &K, now: Instant) -> bool {
        let Ok(mut counts) = self.counts.lock() else {
            // A poisoned lock means a panic elsewhere; fail open rather than lock out all.
            return true;
        };
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.limit
    }
}

/// Window in which failed logins are counted.
pub const LOGIN_FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failed-login counters per account (username) and per client address.
///
/// An attempt is counted before the password is checked, so concurrent guesses cannot
/// slip past the limit; a successful login takes its attempt back and clears the account.
#[derive(Debug)]
pub struct LoginThrottle {
    by_account: RateLimiter<String>,
    by_address: RateLimiter<IpAddr>,
}

/// A counted login attempt, settled once the password has been checked.
#[derive(Debug)]
#[must_use = "settle the attempt with succeeded(), failed() or not_counted()"]
pub struct LoginAttempt<'a> {
    throttle: &'a LoginThrottle,
    account: Option<String>,
    address: Option<IpAddr>,
}

impl LoginThrottle {
    /// At most `per_account` and `per_address` failed logins per [`LOGIN_FAILURE_WINDOW`]
    /// of `clock`.
    pub fn new(per_account: u32, per_address: u32, clock: &Clock) -> Self {
        Self {
            by_account: RateLimiter::new(per_account, LOGIN_FAILURE_WINDOW, clock.clone()),
            by_address: RateLimiter::new(per_address, LOGIN_FAILURE_WINDOW, clock.clone()),
        }
    }

    /// The same throttle counting in `db` when it is PostgreSQL (see
    /// [`RateLimiter::counted_in`]).
    pub fn counted_in(self, db: &DatabaseConnection) -> Self {
        Self {
            by_account: self.by_account.counted_in(db, "login-account"),
            by_address: self.by_address.counted_in(db, "login-address"),
        }
    }

    /// Counts an attempt on `account` (a valid username) from `address`; `None` when
    /// either is over its limit, in which case nothing is counted.
    pub async fn attempt(
        &self,
        account: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<Option<LoginAttempt<'_>>, AppError> {
        if let Some(address) = address
            && !self.by_address.check(&address).await?
        {
            self.by_address.forgive(&address).await?;
            return Ok(None);
        }
        if let Some(account) = account
            && !self.by_account.check(&account.to_owned()).await?
        {
            self.by_account.forgive(&account.to_owned()).await?;
            if let Some(address) = address {
                self.by_address.forgive(&address).await?;
            }
            return Ok(None);
        }
        Ok(Some(LoginAttempt {
            throttle: self,
            account: account.map(str::to_owned),
            address,
        }))
    }
}

impl LoginAttempt<'_> {
    /// The password did not match: the attempt stays counted.
    pub fn failed(self) {}

    /// The password matched: the account starts afresh, the address gets its attempt back.
    pub async fn succeeded(self) {
        if let Some(account) = &self.account {
            settle(self.throttle.by_account.reset(account).await);
        }
        self.not_counted().await;
    }

    /// The attempt could not be judged (an internal failure): it does not count.
    pub async fn not_counted(self) {
        if let Some(account) = &self.account {
            settle(self.throttle.by_account.forgive(account).await);
        }
        if let Some(address) = &self.address {
            settle(self.throttle.by_address.forgive(address).await);
        }
    }
}

/// A refund that failed leaves one attempt too many counted: worth a warning, not a
/// failed login.
fn settle(refund: Result<(), AppError>) {
    if let Err(err) = refund {
        tracing::warn!(error = %err, "giving a login attempt back failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// Counts an attempt on `account` from `ADDRESS`; true when it was admitted.
    async fn admitted(throttle: &LoginThrottle, account: Option<&str>) -> bool {
        throttle.attempt(account, ADDRESS).await.unwrap().is_some()
    }

    const ADDRESS: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1)));

    #[tokio::test]
    async fn calls_over_the_limit_are_refused_until_the_window_passes() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(2, MINUTE, clock.clone());
        assert!(limiter.check(&"a").await.unwrap());
        assert!(limiter.check(&"a").await.unwrap());
        assert!(!limiter.check(&"a").await.unwrap());
        assert!(limiter.check(&"b").await.unwrap(), "keys are counted apart");
        clock.advance(MINUTE + Duration::from_secs(1));
        assert!(limiter.check(&"a").await.unwrap());
    }

    #[tokio::test]
    async fn a_window_not_yet_passed_still_refuses() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(1, MINUTE, clock.clone());
        assert!(limiter.check(&"a").await.unwrap());
        clock.advance(MINUTE / 2);
        assert!(!limiter.check(&"a").await.unwrap(), "half a window later");
    }

    #[tokio::test]
    async fn a_fresh_window_counts_from_zero_again() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(2, MINUTE, clock.clone());
        for _ in 0..3 {
            limiter.check(&"a").await.unwrap();
        }
        clock.advance(MINUTE);
        assert!(limiter.check(&"a").await.unwrap());
        assert!(limiter.check(&"a").await.unwrap());
        assert!(
            !limiter.check(&"a").await.unwrap(),
            "the new window has its own limit"
        );
    }

    #[test]
    fn the_wall_clock_advances_with_the_monotonic_one() {
        let clock = Clock::system();
        let before = clock.utc_now();
        clock.advance(MINUTE);
        assert!(clock.utc_now() >= before + chrono::Duration::minutes(1));
    }

    #[test]
    fn clones_of_a_clock_advance_together() {
        let clock = Clock::system();
        let before = clock.clone().now();
        clock.advance(MINUTE);
        assert!(clock.clone().now() >= before + MINUTE);
    }

    #[tokio::test]
    async fn failed_logins_over_the_account_limit_are_refused_but_other_accounts_are_not() {
        let throttle = LoginThrottle::new(2, 10, &Clock::system());
        for _ in 0..2 {
            assert!(admitted(&throttle, Some("alice")).await);
        }
        assert!(!admitted(&throttle, Some("alice")).await);
        assert!(
            admitted(&throttle, Some("bob")).await,
            "another account is unaffected"
        );
    }

    #[tokio::test]
    async fn a_throttled_account_is_admitted_again_after_the_failure_window() {
        let clock = Clock::system();
        let throttle = LoginThrottle::new(1, 10, &clock);
        assert!(admitted(&throttle, Some("alice")).await);
        assert!(!admitted(&throttle, Some("alice")).await);
        clock.advance(LOGIN_FAILURE_WINDOW);
        assert!(admitted(&throttle, Some("alice")).await);
    }

    #[tokio::test]
    async fn a_success_clears_the_account_and_refunds_the_address() {
        let throttle = LoginThrottle::new(2, 2, &Clock::system());
        assert!(admitted(&throttle, Some("alice")).await);
        if let Some(attempt) = throttle.attempt(Some("alice"), ADDRESS).await.unwrap() {
            attempt.succeeded().await;
        }
        assert!(admitted(&throttle, Some("alice")).await);
        assert!(
            !admitted(&throttle, Some("carol")).await,
            "the address has two failures"
        );
    }
}
