//! Creates `progress_day`: the day changes every figure of a programme went through, for
//! the city and for each institution's share, so `programmeProgress(asOf:)` sums a few
//! rows per figure instead of scanning certificates and enrolments. Derived data:
//! `verify-counts` recomputes it; a registry that had rows before this migration gets
//! it filled at the next start (`talent-registry serve` or `migrate`).

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `progress_day`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgressDay::Table)
                    .col(uuid(ProgressDay::ProgrammeId))
                    .col(uuid(ProgressDay::ScopeId))
                    .col(text(ProgressDay::Figure))
                    .col(date(ProgressDay::Day))
                    .col(integer(ProgressDay::Shard))
                    .col(big_integer(ProgressDay::Change))
                    .primary_key(
                        Index::create()
                            .name("progress_day_pkey")
                            .col(ProgressDay::ProgrammeId)
                            .col(ProgressDay::ScopeId)
                            .col(ProgressDay::Figure)
                            .col(ProgressDay::Day)
                            .col(ProgressDay::Shard),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProgressDay::Table).to_owned())
            .await
    }
}

/// Per programme, scope (nil: the city; else an institution), figure, day and shard:
/// the change of the figure on that day. Only today's changes are spread over shards;
/// past days are folded into shard 0.
#[derive(DeriveIden)]
enum ProgressDay {
    Table,
    ProgrammeId,
    ScopeId,
    Figure,
    Day,
    Shard,
    Change,
}
