//! Fixed-window rate limiting per key (client address, account), in memory.
//!
//! Each replica counts on its own, so N replicas admit up to N times the limit: enough to
//! stop enumeration of certificate numbers and password guessing, without a shared store.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// A limiter of `limit` calls per `window` of `clock`.
    pub fn new(limit: u32, window: Duration, clock: Clock) -> Self {
        Self {
            limit,
            window,
            clock,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// The length of a window in whole seconds: the longest wait before a refused key is
    /// admitted again (`Retry-After`).
    pub fn window_secs(&self) -> u32 {
        self.window.as_secs().try_into().unwrap_or(u32::MAX)
    }

    /// Counts a call by `key`; false when the key is over its limit.
    pub fn check(&self, key: &K) -> bool {
        self.check_at(key, self.clock.now())
    }

    /// Takes back one counted call of `key`: an attempt that turned out not to count.
    pub fn forgive(&self, key: &K) {
        if let Ok(mut counts) = self.counts.lock()
            && let Some(entry) = counts.get_mut(key)
        {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Forgets every call of `key`.
    pub fn reset(&self, key: &K) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
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

    /// Counts an attempt on `account` (a valid username) from `address`; `None` when
    /// either is over its limit, in which case nothing is counted.
    pub fn attempt(
        &self,
        account: Option<&str>,
        address: Option<IpAddr>,
    ) -> Option<LoginAttempt<'_>> {
        if let Some(address) = address
            && !self.by_address.check(&address)
        {
            self.by_address.forgive(&address);
            return None;
        }
        if let Some(account) = account
            && !self.by_account.check(&account.to_owned())
        {
            self.by_account.forgive(&account.to_owned());
            if let Some(address) = address {
                self.by_address.forgive(&address);
            }
            return None;
        }
        Some(LoginAttempt {
            throttle: self,
            account: account.map(str::to_owned),
            address,
        })
    }
}

impl LoginAttempt<'_> {
    /// The password did not match: the attempt stays counted.
    pub fn failed(self) {}

    /// The password matched: the account starts afresh, the address gets its attempt back.
    pub fn succeeded(self) {
        if let Some(account) = &self.account {
            self.throttle.by_account.reset(account);
        }
        self.not_counted();
    }

    /// The attempt could not be judged (an internal failure): it does not count.
    pub fn not_counted(self) {
        if let Some(account) = &self.account {
            self.throttle.by_account.forgive(account);
        }
        if let Some(address) = &self.address {
            self.throttle.by_address.forgive(address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn calls_over_the_limit_are_refused_until_the_window_passes() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(2, MINUTE, clock.clone());
        assert!(limiter.check(&"a"));
        assert!(limiter.check(&"a"));
        assert!(!limiter.check(&"a"));
        assert!(limiter.check(&"b"), "keys are counted apart");
        clock.advance(MINUTE + Duration::from_secs(1));
        assert!(limiter.check(&"a"));
    }

    #[test]
    fn a_window_not_yet_passed_still_refuses() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(1, MINUTE, clock.clone());
        assert!(limiter.check(&"a"));
        clock.advance(MINUTE / 2);
        assert!(!limiter.check(&"a"), "half a window later");
    }

    #[test]
    fn a_fresh_window_counts_from_zero_again() {
        let clock = Clock::system();
        let limiter = RateLimiter::new(2, MINUTE, clock.clone());
        for _ in 0..3 {
            limiter.check(&"a");
        }
        clock.advance(MINUTE);
        assert!(limiter.check(&"a"));
        assert!(limiter.check(&"a"));
        assert!(!limiter.check(&"a"), "the new window has its own limit");
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

    #[test]
    fn failed_logins_over_the_account_limit_are_refused_but_other_accounts_are_not() {
        let throttle = LoginThrottle::new(2, 10, &Clock::system());
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..2 {
            assert!(throttle.attempt(Some("alice"), address).is_some());
        }
        assert!(throttle.attempt(Some("alice"), address).is_none());
        assert!(
            throttle.attempt(Some("bob"), address).is_some(),
            "another account is unaffected"
        );
    }

    #[test]
    fn a_throttled_account_is_admitted_again_after_the_failure_window() {
        let clock = Clock::system();
        let throttle = LoginThrottle::new(1, 10, &clock);
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        assert!(throttle.attempt(Some("alice"), address).is_some());
        assert!(throttle.attempt(Some("alice"), address).is_none());
        clock.advance(LOGIN_FAILURE_WINDOW);
        assert!(throttle.attempt(Some("alice"), address).is_some());
    }

    #[test]
    fn a_success_clears_the_account_and_refunds_the_address() {
        let throttle = LoginThrottle::new(2, 2, &Clock::system());
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(throttle.attempt(Some("alice"), address).is_some());
        if let Some(attempt) = throttle.attempt(Some("alice"), address) {
            attempt.succeeded();
        }
        assert!(throttle.attempt(Some("alice"), address).is_some());
        assert!(
            throttle.attempt(Some("carol"), address).is_none(),
            "the address has two failures"
        );
    }
}
