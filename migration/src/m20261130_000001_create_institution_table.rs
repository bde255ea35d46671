//! Creates `institution`: the organisations that register trainees and run courses.

use sea_orm_migration::{prelude::*, schema::*};

const KINDS: [&str; 4] = [
    "TRAINING_INSTITUTION",
    "LIVESTREAMING_BASE",
    "INDUSTRIAL_PARK",
    "ENTERPRISE",
];

/// Creates the `institution` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Institution::Table)
                    .col(pk_uuid(Institution::Id))
                    .col(text(Institution::Name))
                    .col(text(Institution::CreditCode))
                    .col(text(Institution::District))
                    .col(text(Institution::Kind).check((
                        "institution_kind_check",
                        Expr::col(Institution::Kind).is_in(KINDS),
                    )))
                    .col(timestamp_with_time_zone(Institution::CreatedAt))
                    .col(timestamp_with_time_zone(Institution::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("institution_credit_code_key")
                    .table(Institution::Table)
                    .col(Institution::CreditCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("institution_district_idx")
                    .table(Institution::Table)
                    .col(Institution::District)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Institution::Table).to_owned())
            .await
    }
}

/// Identifiers of the `institution` table.
#[derive(DeriveIden)]
pub enum Institution {
    Table,
    Id,
    Name,
    CreditCode,
    District,
    Kind,
    CreatedAt,
    UpdatedAt,
}
