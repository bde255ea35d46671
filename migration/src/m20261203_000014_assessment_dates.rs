//! Adds `enrolment.assessed_on`: the day of the exam (考核日期), which may be earlier than
//! the day the result was entered; completions and certificates are counted on it.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds and backfills `enrolment.assessed_on`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolment::Table)
                    .add_column(date_null(Enrolment::AssessedOn))
                    .to_owned(),
            )
            .await?;
        // Results entered before this migration were dated the day they were entered.
        manager
            .exec_stmt(
                Query::update()
                    .table(Enrolment::Table)
                    .value(Enrolment::AssessedOn, Expr::col(Enrolment::CompletedOn))
                    .and_where(Expr::col(Enrolment::CompletedOn).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enrolment::Table)
                    .drop_column(Enrolment::AssessedOn)
                    .to_owned(),
            )
            .await
    }
}

/// Identifiers of the `enrolment` table used here.
#[derive(DeriveIden)]
enum Enrolment {
    Table,
    CompletedOn,
    /// Day of the exam (programme calendar), set with the result.
    AssessedOn,
}
