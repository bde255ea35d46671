//! Indexes `progress_day` and `programme_final` by programme, scope and day. `asOf` reads
//! the days of two short ranges of every figure of one scope at once; the primary key
//! (programme, scope, figure, day, …) can only serve that by reading every day of every
//! figure of the scope (7,072 index entries for the city at 1,000,000 trainees, for 140
//! rows). The rows' counts are updated in place and the new index holds none of them, so
//! it costs a write only when a figure's day or shard gets its first row.

use sea_orm_migration::prelude::*;

/// Creates both indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables and their new indexes' names.
const INDEXES: [(&str, &str); 2] = [
    ("progress_day", "progress_day_by_day"),
    ("programme_final", "programme_final_by_day"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new("programme_id"))
                        .col(Alias::new("scope_id"))
                        .col(Alias::new("day"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
