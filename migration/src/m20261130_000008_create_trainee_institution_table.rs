//! Creates `trainee_institution`: the institutions that registered or enrolled a trainee.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000001_create_institution_table::Institution;
use super::m20261130_000004_create_trainee_table::Trainee;

/// Creates the `trainee_institution` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TraineeInstitution::Table)
                    .col(uuid(TraineeInstitution::TraineeId))
                    .col(uuid(TraineeInstitution::InstitutionId))
                    .col(timestamp_with_time_zone(TraineeInstitution::CreatedAt))
                    .primary_key(
                        Index::create()
                            .name("trainee_institution_pkey")
                            .col(TraineeInstitution::TraineeId)
                            .col(TraineeInstitution::InstitutionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("trainee_institution_trainee_fkey")
                            .from(TraineeInstitution::Table, TraineeInstitution::TraineeId)
                            .to(Trainee::Table, Trainee::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("trainee_institution_institution_fkey")
                            .from(TraineeInstitution::Table, TraineeInstitution::InstitutionId)
                            .to(Institution::Table, Institution::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("trainee_institution_institution_idx")
                    .table(TraineeInstitution::Table)
                    .col(TraineeInstitution::InstitutionId)
                    .col(TraineeInstitution::TraineeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TraineeInstitution::Table).to_owned())
            .await
    }
}

/// Identifiers of the `trainee_institution` table.
#[derive(DeriveIden)]
pub enum TraineeInstitution {
    Table,
    TraineeId,
    InstitutionId,
    CreatedAt,
}
