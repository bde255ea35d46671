//! A counted row's columns, read by position, and on PostgreSQL a column of many rows
//! in one value.
//!
//! The count reads answer hundreds of rows. Read through sea-orm by name, each value's
//! name was looked up, its type checked against every SQL type the Rust type may come
//! from, and its text copied into a new `String`: for `stats` by district and month,
//! more of the server's work per row than building and sending the row's answer. The
//! reads here name their columns by position in their own `SELECT` and, on PostgreSQL,
//! read text where it arrived. Receiving each row still cost more than its values
//! (sqlx decodes a message, checks each value's type and hands the row through a
//! stream), so the longest reads ask PostgreSQL for arrays instead: a column of every
//! row in one value ([`columnar`], [`column`]), or each figure's series ([`array`]).

use sea_orm::sqlx::postgres::{PgHasArrayType, Postgres};
use sea_orm::sqlx::{Decode, Row, Type};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, TryGetable};

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

/// The array at `index` of a PostgreSQL row (an array column of the statement, NULL
/// read as empty); none for a row of another engine, which has no arrays.
pub fn array<T>(row: &QueryResult, index: usize) -> Option<Result<Vec<T>, AppError>>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres> + PgHasArrayType,
{
    let row = row.try_as_pg_row()?;
    Some(
        row.try_get::<Option<Vec<T>>, _>(index)
            .map(Option::unwrap_or_default)
            .map_err(|err| AppError::Internal(err.into())),
    )
}

/// `sql`, whose result columns are `names`, to be read a column at a time ([`column`]):
/// on PostgreSQL one row of arrays, a column each (`array_agg` over the rows, which
/// keeps them in one order across the columns), since receiving a row cost the server
/// more than the few values in it; on SQLite, in process, `sql` itself.
pub fn columnar(db: &impl ConnectionTrait, sql: &str, names: &[&str]) -> String {
    if db.get_database_backend() != DbBackend::Postgres {
        return sql.to_owned();
    }
    let arrays: Vec<String> = names
        .iter()
        .map(|name| format!("array_agg({name})"))
        .collect();
    format!("SELECT {} FROM ({sql}) AS rows", arrays.join(", "))
}

/// The values of column `index` of every row of a [`columnar`] statement, in row order.
pub fn column<T>(rows: &[QueryResult], index: usize) -> Result<Vec<T>, AppError>
where
    T: TryGetable + for<'r> Decode<'r, Postgres> + Type<Postgres> + PgHasArrayType,
{
    if let Some(values) = rows.first().and_then(|row| array(row, index)) {
        return values;
    }
    Ok(rows
        .iter()
        .map(|row| row.try_get_by_index(index))
        .collect::<Result<_, _>>()?)
}
