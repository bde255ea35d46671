//! Windows counted in the database (`rate_limit_hit`, PostgreSQL): every replica on one
//! database sees the same count, so N replicas admit a key's limit once, not N times.
//!
//! A window starts at a key's first hit, as in memory: one upsert per hit restarts an
//! expired window or counts one more in the current one, under the row's lock, and
//! returns the count. Expired windows are swept every [`SWEEP_EVERY`] hits.

use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::error::AppError;

/// Hits of one limiter between two sweeps of its expired windows.
const SWEEP_EVERY: u64 = 1_000;

/// One limiter's windows in the database.
#[derive(Debug)]
pub(super) struct SharedWindows {
    db: DatabaseConnection,
    /// Prefix of this limiter's keys (`verify`, `login-account`, `login-address`).
    name: &'static str,
    hits: AtomicU64,
}

impl SharedWindows {
    pub(super) fn new(db: DatabaseConnection, name: &'static str) -> Self {
        Self {
            db,
            name,
            hits: AtomicU64::new(0),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.name)
    }

    /// Counts a hit of `key` at `now_ms` (milliseconds on the limiter's clock) in a
    /// window of `window_ms`; the hits of its current window, this one included.
    pub(super) async fn hit(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, AppError> {
        if self.hits.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep(now_ms - window_ms).await?;
        }
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO rate_limit_hit (key, window_start, hits) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   window_start = CASE WHEN rate_limit_hit.window_start <= $3 \
                     THEN EXCLUDED.window_start ELSE rate_limit_hit.window_start END, \
                   hits = CASE WHEN rate_limit_hit.window_start <= $3 \
                     THEN 1 ELSE rate_limit_hit.hits + 1 END \
                 RETURNING hits",
                [
                    self.key(key).into(),
                    now_ms.into(),
                    (now_ms - window_ms).into(),
                ],
            ))
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the upsert returned no row")))?;
        let hits: i32 = row.try_get("", "hits")?;
        Ok(u32::try_from(hits).unwrap_or(0))
    }

    /// Takes back one hit of `key`.
    pub(super) async fn forgive(&self, key: &str) -> Result<(), AppError> {
        let sql = "UPDATE rate_limit_hit SET hits = hits - 1 WHERE key = $1 AND hits > 0";
        self.execute(sql, vec![self.key(key).into()]).await
    }

    /// Forgets every hit of `key`.
    pub(super) async fn reset(&self, key: &str) -> Result<(), AppError> {
        let sql = "DELETE FROM rate_limit_hit WHERE key = $1";
        self.execute(sql, vec![self.key(key).into()]).await
    }

    /// Deletes this limiter's windows that started at or before `expired_ms`.
    async fn sweep(&self, expired_ms: i64) -> Result<(), AppError> {
        let sql = "DELETE FROM rate_limit_hit WHERE window_start <= $1 AND key LIKE $2";
        let prefix = format!("{}:%", self.name);
        self.execute(sql, vec![expired_ms.into(), prefix.into()])
            .await
    }

    async fn execute(&self, sql: &str, values: Vec<sea_orm::Value>) -> Result<(), AppError> {
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await?;
        Ok(())
    }
}
