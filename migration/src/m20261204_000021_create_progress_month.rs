//! Creates `progress_month` and `programme_final_month`: the day changes of
//! `progress_day` and `programme_final` summed per month, with the sum of their falls
//! (`losses`, never above what the month's days fell by), so `programmeProgress(asOf:)`
//! reads a row per figure and month instead of one per day of change. Derived data:
//! `verify-counts` checks it; a registry that had day changes before this migration gets
//! its months filled at the next start (`talent-registry serve` or `migrate`).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `progress_month` and `programme_final_month`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgressMonth::Table)
                    .col(uuid(ProgressMonth::ProgrammeId))
                    .col(uuid(ProgressMonth::ScopeId))
                    .col(text(ProgressMonth::Figure))
                    .col(date(ProgressMonth::Month))
                    .col(integer(ProgressMonth::Shard))
                    .col(big_integer(ProgressMonth::Change))
                    .col(big_integer(ProgressMonth::Losses))
                    .primary_key(
                        Index::create()
                            .name("progress_month_pkey")
                            .col(ProgressMonth::ProgrammeId)
                            .col(ProgressMonth::ScopeId)
                            .col(ProgressMonth::Figure)
                            .col(ProgressMonth::Month)
                            .col(ProgressMonth::Shard),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeFinalMonth::Table)
                    .col(uuid(ProgrammeFinalMonth::ProgrammeId))
                    .col(uuid(ProgrammeFinalMonth::ScopeId))
                    .col(text(ProgrammeFinalMonth::Figure))
                    .col(date(ProgrammeFinalMonth::Month))
                    .col(big_integer(ProgrammeFinalMonth::Change))
                    .col(big_integer(ProgrammeFinalMonth::Losses))
                    .primary_key(
                        Index::create()
                            .name("programme_final_month_pkey")
                            .col(ProgrammeFinalMonth::ProgrammeId)
                            .col(ProgrammeFinalMonth::ScopeId)
                            .col(ProgrammeFinalMonth::Figure)
                            .col(ProgrammeFinalMonth::Month),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProgrammeFinalMonth::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgressMonth::Table).to_owned())
            .await
    }
}

/// Per programme, scope (nil: the city), figure, month (its first day) and shard: the
/// month's net change, and the sum of the falls written into it (at most 0). Only the
/// current month is spread over shards; past months are folded into shard 0.
#[derive(DeriveIden)]
enum ProgressMonth {
    Table,
    ProgrammeId,
    ScopeId,
    Figure,
    Month,
    Shard,
    Change,
    Losses,
}

/// The same for a closed programme's frozen figures (`programme_final`).
#[derive(DeriveIden)]
enum ProgrammeFinalMonth {
    Table,
    ProgrammeId,
    ScopeId,
    Figure,
    Month,
    Change,
    Losses,
}
