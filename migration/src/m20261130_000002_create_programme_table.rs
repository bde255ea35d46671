//! Creates `programme`: a funded cultivation programme running between two dates.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `programme` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Programme::Table)
                    .col(pk_uuid(Programme::Id))
                    .col(text(Programme::Name))
                    .col(date(Programme::StartsOn))
                    .col(date(Programme::EndsOn))
                    .col(timestamp_with_time_zone(Programme::CreatedAt))
                    .col(timestamp_with_time_zone(Programme::UpdatedAt))
                    .check((
                        "programme_dates_check",
                        Expr::col(Programme::StartsOn).lte(Expr::col(Programme::EndsOn)),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Programme::Table).to_owned())
            .await
    }
}

/// Identifiers of the `programme` table.
#[derive(DeriveIden)]
pub enum Programme {
    Table,
    Id,
    Name,
    StartsOn,
    EndsOn,
    CreatedAt,
    UpdatedAt,
}
