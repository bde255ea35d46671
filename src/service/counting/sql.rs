//! Hand-written SQL, one text for both engines: the counting queries, the multi-row
//! statements of bulk writes (`service/results.rs`), and the [`Batch`] a write sends at
//! its end.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::AppError;

/// Runs `sql`, written with `?` placeholders, on either engine (PostgreSQL wants `$n`).
pub async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, AppError> {
    Ok(db.query_all_raw(statement(db, sql, values)).await?)
}

/// `sql`, written with `?` placeholders, as a statement for `db`'s engine.
pub fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let text = match backend {
        DbBackend::Postgres => numbered(sql),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, text, values)
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
/// nothing) with `rows`, [`ROWS`] to a statement, one statement after another.
pub async fn insert_rows(
    db: &impl ConnectionTrait,
    head: &str,
    tail: &str,
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<(), AppError> {
    let mut batch = Batch::default();
    batch.insert_rows(head, tail, rows);
    batch.send_apart(db).await?;
    Ok(())
}

/// Bind values per statement a [`Batch`] sends on PostgreSQL (its limit is 65,535).
const BATCH_VALUES: usize = 30_000;

/// Statements without results, sent together: on PostgreSQL as one statement (the
/// first as its main statement, the others as data-modifying `WITH` clauses), so the
/// batch costs one round trip; on SQLite, which has no round trips, one after another.
///
/// They run in the order pushed, on both engines, so writers that push the same tables
/// in the same order take their rows' locks in one order. PostgreSQL runs the main
/// statement first, then the `WITH` clauses from the last written to the first (its
/// executor finishes them in the reverse of the order it set them up), so the clauses
/// are written in reverse; `tests/api/batch_order.rs` holds PostgreSQL to it. No row may
/// be written by two statements of a batch: one statement cannot change a row twice.
#[derive(Debug, Default)]
pub struct Batch {
    statements: Vec<Part>,
}

/// A statement of a [`Batch`]: `head`, then, for rows inserted by
/// [`Batch::insert_rows`], their `VALUES` list and `tail`.
#[derive(Debug)]
struct Part {
    head: String,
    rows: Option<(String, String)>,
    values: Vec<Value>,
}

impl Part {
    /// Its text; with `guarded`, its rows are inserted only when the statement's `WITH g`
    /// clause returns a row ([`Batch::send_guarded`]).
    fn text(&self, guarded: bool) -> Result<String, AppError> {
        let Some((list, tail)) = &self.rows else {
            return if guarded {
                Err(AppError::Internal(anyhow::anyhow!(
                    "a guarded batch holds a statement other than an insert of rows"
                )))
            } else {
                Ok(self.head.clone())
            };
        };
        let head = &self.head;
        if !guarded {
            return Ok(format!("{head}{list}{tail}"));
        }
        let insert = head.strip_suffix("VALUES ").ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("an insert of rows without `VALUES `"))
        })?;
        Ok(format!(
            "{insert}SELECT * FROM (VALUES {list}) v WHERE EXISTS (SELECT FROM g){tail}"
        ))
    }
}

impl Batch {
    /// Adds `sql` (with `?` placeholders) and its values.
    pub fn push(&mut self, sql: String, values: Vec<Value>) {
        self.statements.push(Part {
            head: sql,
            rows: None,
            values,
        });
    }

    /// Adds `head` (`INSERT INTO t (…) VALUES `) + a `VALUES` list + `tail` for `rows`,
    /// [`ROWS`] to a statement (see [`insert_rows`]).
    pub fn insert_rows(&mut self, head: &str, tail: &str, rows: impl Iterator<Item = Vec<Value>>) {
        let rows: Vec<Vec<Value>> = rows.collect();
        for chunk in rows.chunks(ROWS) {
            let (list, values) = values_list(chunk);
            self.statements.push(Part {
                head: head.to_owned(),
                rows: Some((list, tail.to_owned())),
                values,
            });
        }
    }

    /// Adds `other`'s statements after these.
    pub fn extend(&mut self, other: Batch) {
        self.statements.extend(other.statements);
    }

    /// Runs the statements, in order; returns the rows the first one returned (its
    /// `RETURNING` list).
    pub async fn send(self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, AppError> {
        if db.get_database_backend() != DbBackend::Postgres {
            return self.send_apart(db).await;
        }
        let mut first = None;
        let mut group: Vec<Part> = Vec::new();
        let mut bound = 0;
        for statement in self.statements {
            if !group.is_empty() && bound + statement.values.len() > BATCH_VALUES {
                let rows = send_together(db, std::mem::take(&mut group), None).await?;
                first.get_or_insert(rows);
                bound = 0;
            }
            bound += statement.values.len();
            group.push(statement);
        }
        let rows = send_together(db, group, None).await?;
        Ok(first.unwrap_or(rows))
    }

    /// PostgreSQL: runs the statements as one statement, however many values they bind
    /// (a single write's few), each inserting its rows only when `guard` (a query, with
    /// its values) returns a row, so they take effect together or not at all, even
    /// outside a transaction, and not at all when the guard finds nothing; returns the
    /// first one's rows (none when the guard found nothing). Every statement must be an
    /// insert of rows ([`Batch::insert_rows`]).
    pub async fn send_guarded(
        self,
        db: &impl ConnectionTrait,
        guard: (String, Vec<Value>),
    ) -> Result<Vec<QueryResult>, AppError> {
        send_together(db, self.statements, Some(guard)).await
    }

    /// Runs the statements one by one, in order; returns the first one's rows.
    async fn send_apart(self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, AppError> {
        let mut first = None;
        for part in self.statements {
            let rows = query(db, &part.text(false)?, part.values).await?;
            first.get_or_insert(rows);
        }
        Ok(first.unwrap_or_default())
    }
}

/// Sends `statements` as one: `WITH w3 AS (s3), w2 AS (s2) s1`, values in text order;
/// with a `guard`, `WITH g AS (guard), …` and each statement's rows inserted only when
/// `g` returns a row. Returns the rows of `s1`.
async fn send_together(
    db: &impl ConnectionTrait,
    mut statements: Vec<Part>,
    guard: Option<(String, Vec<Value>)>,
) -> Result<Vec<QueryResult>, AppError> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let first = statements.remove(0);
    let guarded = guard.is_some();
    let mut clauses = Vec::with_capacity(statements.len() + 1);
    let mut values = Vec::new();
    if let Some((sql, v)) = guard {
        clauses.push(format!("g AS ({sql})"));
        values.extend(v);
    }
    for (i, part) in statements.into_iter().enumerate().rev() {
        clauses.push(format!("w{} AS ({})", i + 2, part.text(guarded)?));
        values.extend(part.values);
    }
    let mut text = String::new();
    if !clauses.is_empty() {
        text.push_str("WITH ");
        text.push_str(&clauses.join(", "));
        text.push(' ');
    }
    text.push_str(&first.text(guarded)?);
    values.extend(first.values);
    query(db, &text, values).await
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
