//! Fixed-window rate limiting per key (client address), in memory.
//!
//! Each replica counts on its own, so N replicas admit up to N times the limit: enough to
//! stop enumeration of certificate numbers, without a shared store.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked before stale windows are swept.
const SWEEP_AT: usize = 10_000;

/// Admits at most `limit` calls per key per `window`.
#[derive(Debug)]
pub struct RateLimiter<K> {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// A limiter of `limit` calls per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a call by `key`; false when the key is over its limit.
    pub fn check(&self, key: &K) -> bool {
        self.check_at(key, Instant::now())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_over_the_limit_are_refused_until_the_window_passes() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.check_at(&"a", start));
        assert!(limiter.check_at(&"a", start));
        assert!(!limiter.check_at(&"a", start));
        assert!(limiter.check_at(&"b", start), "keys are counted apart");
        assert!(limiter.check_at(&"a", start + Duration::from_secs(61)));
    }
}
