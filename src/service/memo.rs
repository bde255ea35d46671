//! A bounded memory of what the server read, for guesses the database confirms later
//! (the courses and sessions of `enrol` in one statement). Emptied when full: no order
//! is kept, and what is forgotten is only read again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// At most `limit` entries, behind a lock held only to copy one in or out.
#[derive(Debug)]
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, V>>,
    limit: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// An empty memory of at most `limit` entries.
    pub fn new(limit: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            limit,
        }
    }

    /// Notes `value` under `key`; when the memory is full it is emptied first.
    pub fn remember(&self, key: K, value: V) {
        let mut entries = self.lock();
        if entries.len() >= self.limit && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }

    /// The value last noted under `key`.
    pub fn recall<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock().get(key).cloned()
    }

    /// Drops what was noted under `key`.
    pub fn forget<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock().remove(key);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, V>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_memory_is_emptied_before_it_takes_a_new_key() {
        let memo = Memo::new(2);
        memo.remember(1, "a");
        memo.remember(2, "b");
        memo.remember(2, "b2");
        assert_eq!(memo.recall(&1), Some("a"), "a known key replaces in place");

        memo.remember(3, "c");

        assert_eq!(memo.recall(&1), None);
        assert_eq!(memo.recall(&2), None);
        assert_eq!(memo.recall(&3), Some("c"));
        memo.forget(&3);
        assert_eq!(memo.recall(&3), None);
    }
}
