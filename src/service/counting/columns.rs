//! A counted row's columns, read by position.
//!
//! The count reads answer hundreds of rows. Read through sea-orm by name, each value's
//! name was looked up, its type checked against every SQL type the Rust type may come
//! from, and its text copied into a new `String`: for `stats` by district and month,
//! more of the server's work per row than building and sending the row's answer. The
//! reads here name their columns by position in their own `SELECT` and, on PostgreSQL,
//! read text where it arrived, and arrays (a series in one value) as they arrived.

use sea_orm::QueryResult;
use sea_orm::sqlx::postgres::{PgHasArrayType, Postgres};
use sea_orm::sqlx::{Decode, Row, Type};

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

/// The array at `index` of a PostgreSQL row (a `NOT NULL` array column of the
/// statement); none for a row of another engine, which has no arrays.
pub fn array<T>(row: &QueryResult, index: usize) -> Option<Result<Vec<T>, AppError>>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres> + PgHasArrayType,
{
    let row = row.try_as_pg_row()?;
    Some(
        row.try_get::<Vec<T>, _>(index)
            .map_err(|err| AppError::Internal(err.into())),
    )
}
