//! Hand-written SQL for the counting queries: one text for both engines.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::AppError;

/// Runs `sql`, written with `?` placeholders, on either engine (PostgreSQL wants `$n`).
pub async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, AppError> {
    let backend = db.get_database_backend();
    let text = match backend {
        DbBackend::Postgres => numbered(sql),
        _ => sql.to_owned(),
    };
    Ok(db
        .query_all_raw(Statement::from_sql_and_values(backend, text, values))
        .await?)
}

/// The first column of the first row as a count (0 when there is no row).
pub async fn count(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, AppError> {
    let rows = query(db, sql, values).await?;
    match rows.first() {
        Some(row) => Ok(u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0)),
        None => Ok(0),
    }
}

fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            super::numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }
}
