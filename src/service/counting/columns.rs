//! A counted row's columns, read by position.
//!
//! The count reads answer hundreds of rows. Read through sea-orm by name, each value's
//! name was looked up, its type checked against every SQL type the Rust type may come
//! from, and its text copied into a new `String`: for `stats` by district and month,
//! more of the server's work per row than building and sending the row's answer. The
//! reads here name their columns by position in their own `SELECT` and, on PostgreSQL,
//! read text where it arrived.

use sea_orm::QueryResult;
use sea_orm::sqlx::Row;

use crate::error::AppError;

/// The text at `index` (a `NOT NULL` text column of the statement), handed to `read`.
pub fn text<T>(
    row: &QueryResult,
    index: usize,
    read: impl FnOnce(&str) -> Result<T, AppError>,
) -> Result<T, AppError> {
    if let Some(row) = row.try_as_pg_row() {
        let value = row
            .try_get_raw(index)
            .map_err(|err| AppError::Internal(err.into()))?;
        let text = value
            .as_str()
            .map_err(|err| AppError::Internal(anyhow::anyhow!("column {index}: {err}")))?;
        return read(text);
    }
    read(&row.try_get_by_index::<String>(index)?)
}

/// The text at `index` as a `String`.
pub fn string(row: &QueryResult, index: usize) -> Result<String, AppError> {
    text(row, index, |text| Ok(text.to_owned()))
}
