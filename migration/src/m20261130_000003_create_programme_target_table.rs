//! Creates `programme_target`: how many trainees a programme aims to certify per track.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000002_create_programme_table::Programme;

const TRACKS: [&str; 2] = ["HOST", "PROFESSIONAL"];

/// Creates the `programme_target` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeTarget::Table)
                    .col(uuid(ProgrammeTarget::ProgrammeId))
                    .col(text(ProgrammeTarget::Track).check((
                        "programme_target_track_check",
                        Expr::col(ProgrammeTarget::Track).is_in(TRACKS),
                    )))
                    .col(integer(ProgrammeTarget::Target).check((
                        "programme_target_target_check",
                        Expr::col(ProgrammeTarget::Target).gte(0),
                    )))
                    .col(timestamp_with_time_zone(ProgrammeTarget::CreatedAt))
                    .col(timestamp_with_time_zone(ProgrammeTarget::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .name("programme_target_pkey")
                            .col(ProgrammeTarget::ProgrammeId)
                            .col(ProgrammeTarget::Track),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("programme_target_programme_fkey")
                            .from(ProgrammeTarget::Table, ProgrammeTarget::ProgrammeId)
                            .to(Programme::Table, Programme::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProgrammeTarget::Table).to_owned())
            .await
    }
}

/// Identifiers of the `programme_target` table.
#[derive(DeriveIden)]
pub enum ProgrammeTarget {
    Table,
    ProgrammeId,
    Track,
    Target,
    CreatedAt,
    UpdatedAt,
}
