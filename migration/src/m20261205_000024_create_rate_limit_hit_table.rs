//! Creates `rate_limit_hit`: the current window of each rate-limited key (login failures
//! per account and per address, `verifyCertificate` per address), counted in the
//! database on PostgreSQL so that every replica admits a key's limit once. SQLite keeps
//! its limits in memory (one process per file) and leaves the table empty.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `rate_limit_hit` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimitHit::Table)
                    // `<limiter>:<key>`, e.g. `verify:203.0.113.9`.
                    .col(text(RateLimitHit::Key))
                    // Milliseconds since the Unix epoch on the limiter's clock.
                    .col(big_integer(RateLimitHit::WindowStart))
                    .col(integer(RateLimitHit::Hits))
                    .primary_key(
                        Index::create()
                            .name("rate_limit_hit_pkey")
                            .col(RateLimitHit::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("rate_limit_hit_window_start_idx")
                    .table(RateLimitHit::Table)
                    .col(RateLimitHit::WindowStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateLimitHit::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RateLimitHit {
    Table,
    Key,
    WindowStart,
    Hits,
}
