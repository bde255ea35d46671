//! Creates `trainee`: a person in the programme, identified by a keyed hash of their ID document.

use sea_orm_migration::{prelude::*, schema::*};

const ID_TYPES: [&str; 5] = [
    "RESIDENT_ID",
    "PASSPORT",
    "HK_MACAO_PERMIT",
    "TAIWAN_PERMIT",
    "FOREIGN_PERMANENT_RESIDENT_ID",
];

/// Creates the `trainee` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Trainee::Table)
                    .col(pk_uuid(Trainee::Id))
                    .col(text(Trainee::Name))
                    .col(text(Trainee::IdType).check((
                        "trainee_id_type_check",
                        Expr::col(Trainee::IdType).is_in(ID_TYPES),
                    )))
                    .col(text(Trainee::IdHash))
                    .col(text(Trainee::IdMasked))
                    .col(text_null(Trainee::Phone))
                    .col(text_null(Trainee::District))
                    .col(text_null(Trainee::ActivationCodeHash))
                    .col(timestamp_with_time_zone(Trainee::CreatedAt))
                    .col(timestamp_with_time_zone(Trainee::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("trainee_id_hash_key")
                    .table(Trainee::Table)
                    .col(Trainee::IdHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("trainee_activation_code_hash_key")
                    .table(Trainee::Table)
                    .col(Trainee::ActivationCodeHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Trainee::Table).to_owned())
            .await
    }
}

/// Identifiers of the `trainee` table.
#[derive(DeriveIden)]
pub enum Trainee {
    Table,
    Id,
    Name,
    IdType,
    IdHash,
    IdMasked,
    Phone,
    District,
    ActivationCodeHash,
    CreatedAt,
    UpdatedAt,
}
