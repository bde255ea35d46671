//! Readiness: whether the database answers.

use sea_orm::{ConnectionTrait, Statement};

use crate::error::AppError;

/// Runs `SELECT 1`.
pub async fn ping(db: &impl ConnectionTrait) -> Result<(), AppError> {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT 1",
    ))
    .await?;
    Ok(())
}
