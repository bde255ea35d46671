//! Hand-written SQL, one text for both engines: the counting queries, and the multi-row
//! statements of bulk writes (`service/results.rs`).

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

/// SQL condition: the `kind` of the certificate in the `FROM` list is one of the
/// programme's counted kinds, bound as their stored spelling (`TRAINING_COMPLETION,SKILL_LEVEL`):
/// the SQL spelling of [`super::day_changes::Period::counts`]'s kind rule. Queries that
/// join `programme` write the same test against its `counted_kinds` column.
pub const COUNTED_KIND: &str = "(',' || CAST(? AS TEXT) || ',') LIKE ('%,' || kind || ',%')";

/// Rows per multi-row statement: well under both engines' bind-parameter limits.
pub const ROWS: usize = 2000;

/// `(?, ?), (?, ?)`: the placeholders of `rows`, and their values in order.
pub fn values_list(rows: &[Vec<Value>]) -> (String, Vec<Value>) {
    let mut text = String::new();
    let mut values = Vec::with_capacity(rows.iter().map(Vec::len).sum());
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push('(');
        text.push_str(&vec!["?"; row.len()].join(", "));
        text.push(')');
        values.extend(row.iter().cloned());
    }
    (text, values)
}

/// Runs `head` (`INSERT INTO t (…) VALUES `) then `tail` (an `ON CONFLICT` clause or
/// nothing) with `rows`, [`ROWS`] to a statement.
pub async fn insert_rows(
    db: &impl ConnectionTrait,
    head: &str,
    tail: &str,
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<(), AppError> {
    let rows: Vec<Vec<Value>> = rows.collect();
    for chunk in rows.chunks(ROWS) {
        let (list, values) = values_list(chunk);
        query(db, &format!("{head}{list}{tail}"), values).await?;
    }
    Ok(())
}

/// `?, ?, ?` for `n` values, the inside of an `IN (…)`.
pub fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
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
