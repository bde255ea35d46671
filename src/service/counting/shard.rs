//! Which shard of today's and this month's counter rows a write adds to. Every writer
//! shares those rows (a breakdown cell, a programme's totals, a day of a figure), so each
//! has [`SHARDS`] rows that readers sum; two writes on one shard take turns (the second
//! waits for the first to commit), two on different shards do not.
//!
//! A request holds one shard from its first sharded write to its end ([`holding_shard`]):
//! the free shard of this process nearest after a starting point drawn once per process
//! (so that replicas, at low load, start apart). While at most [`SHARDS`] requests write
//! at once, no two of them share a shard. Handing out shards by the request's task, as
//! before, let two of eight concurrent writers share one about nine times in ten (16
//! shards), and a keep-alive connection's requests kept the same task, so the same two
//! connections waited for each other on every request.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;

/// Rows per counter for the current day or month.
pub const SHARDS: i32 = 16;

/// [`SHARDS`], to count bits.
const N: u32 = SHARDS.unsigned_abs();

/// Every shard's bit.
const ALL: u32 = (1 << N) - 1;

/// The shards held by this process's requests, one bit each.
static HELD: AtomicU32 = AtomicU32::new(0);

tokio::task_local! {
    /// The shard of the running request, taken at its first sharded write.
    static HOLDING: Held;
}

/// A request's shard, when it has taken one, and whether it holds it alone.
#[derive(Default)]
struct Held(Cell<Option<(i32, bool)>>);

impl Held {
    fn shard(&self) -> i32 {
        if let Some((shard, _)) = self.0.get() {
            return shard;
        }
        let taken = take();
        self.0.set(Some(taken));
        taken.0
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some((shard, true)) = self.0.get() {
            HELD.fetch_and(!(1 << shard), Ordering::AcqRel);
        }
    }
}

/// Runs one request's work holding its own shard (see the module's documentation).
pub async fn holding_shard<F: Future>(work: F) -> F::Output {
    HOLDING.scope(Held::default(), work).await
}

/// The shard the current request adds its sharded rows to: the same for every statement
/// of its transaction, so two transactions never take two shards of one counter in
/// opposite orders (a deadlock on PostgreSQL). Outside a request (the command line, the
/// hourly compaction), the task's.
pub fn shard() -> i32 {
    HOLDING.try_with(Held::shard).unwrap_or_else(|_| of_task())
}

/// The shard of a row dated `day` among rows whose current date is `current` (today,
/// or this month's first day): the request's [`shard`] for the current date, which every
/// writer shares, and shard 0 for any other, which the hourly compaction folds into.
pub fn shard_for(day: NaiveDate, current: NaiveDate) -> i32 {
    if day == current { shard() } else { 0 }
}

/// A free shard, held alone (`true`), the first free one at or after this process's
/// starting point; when every shard is held, the task's, shared (`false`).
fn take() -> (i32, bool) {
    static START: OnceLock<u32> = OnceLock::new();
    let start = *START.get_or_init(|| rand::random::<u32>() % N);
    let mut held = HELD.load(Ordering::Acquire);
    loop {
        let free = !held & ALL;
        if free == 0 {
            return (of_task(), false);
        }
        // The free bits rotated so that the starting point is bit 0.
        let rotated = (free >> start | free << (N - start)) & ALL;
        let bit = (rotated.trailing_zeros() + start) % N;
        match HELD.compare_exchange_weak(held, held | 1 << bit, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => return (i32::try_from(bit).unwrap_or(0), true),
            Err(now) => held = now,
        }
    }
}

/// The running task's shard (a random one outside any task).
fn of_task() -> i32 {
    use std::hash::{Hash, Hasher};
    let seed = match tokio::task::try_id() {
        Some(id) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            id.hash(&mut hasher);
            hasher.finish()
        }
        None => rand::random::<u64>(),
    };
    i32::try_from(seed % u64::from(SHARDS.unsigned_abs())).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_requests_hold_distinct_shards_and_give_them_back() {
        let (tx, rx) = std::sync::mpsc::channel();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(SHARDS as usize));
        let mut requests = Vec::new();
        for _ in 0..SHARDS {
            let (tx, barrier) = (tx.clone(), barrier.clone());
            requests.push(tokio::spawn(holding_shard(async move {
                let first = shard();
                barrier.wait().await;
                tx.send((first, shard())).unwrap();
            })));
        }
        for request in requests {
            request.await.unwrap();
        }
        drop(tx);
        let shards: Vec<(i32, i32)> = rx.iter().collect();
        assert!(shards.iter().all(|(first, again)| first == again));
        let distinct: std::collections::BTreeSet<i32> = shards.iter().map(|s| s.0).collect();
        assert_eq!(distinct.len(), SHARDS as usize);
        assert_eq!(HELD.load(Ordering::Acquire), 0);
    }
}
