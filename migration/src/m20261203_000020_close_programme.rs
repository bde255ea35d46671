//! Closing a programme: `programme.closed_at`, and `programme_final`, the figures frozen
//! when it was closed (its `progress_day` changes up to its last day, shards summed, for
//! the city and every institution's share). Unlike the maintained counts these rows are
//! never recomputed: they are what was reported.

use sea_orm_migration::{prelude::*, schema::*};

/// Adds `programme.closed_at` and creates `programme_final`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Programme::Table)
                    .add_column(timestamp_with_time_zone_null(Programme::ClosedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeFinal::Table)
                    .col(uuid(ProgrammeFinal::ProgrammeId))
                    .col(uuid(ProgrammeFinal::ScopeId))
                    .col(text(ProgrammeFinal::Figure))
                    .col(date(ProgrammeFinal::Day))
                    .col(big_integer(ProgrammeFinal::Change))
                    .primary_key(
                        Index::create()
                            .name("programme_final_pkey")
                            .col(ProgrammeFinal::ProgrammeId)
                            .col(ProgrammeFinal::ScopeId)
                            .col(ProgrammeFinal::Figure)
                            .col(ProgrammeFinal::Day),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProgrammeFinal::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Programme::Table)
                    .drop_column(Programme::ClosedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    ClosedAt,
}

/// Per closed programme, scope (nil: the city), figure and day: the change of the figure
/// on that day as it stood when the programme was closed.
#[derive(DeriveIden)]
enum ProgrammeFinal {
    Table,
    ProgrammeId,
    ScopeId,
    Figure,
    Day,
    Change,
}
