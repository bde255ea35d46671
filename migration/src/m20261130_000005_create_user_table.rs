//! Creates `user`: a login account, scoped to an institution or a trainee by its role.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000001_create_institution_table::Institution;
use super::m20261130_000004_create_trainee_table::Trainee;

const ROLES: [&str; 5] = [
    "CITY_ADMIN",
    "CITY_ANALYST",
    "INSTITUTION_ADMIN",
    "INSTITUTION_STAFF",
    "TRAINEE",
];
const INSTITUTION_ROLES: [&str; 2] = ["INSTITUTION_ADMIN", "INSTITUTION_STAFF"];

/// Creates the `user` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Institution roles carry exactly an institution, the trainee role exactly a trainee,
        // city roles neither.
        let role_scope = Expr::col(User::Role)
            .is_in(INSTITUTION_ROLES)
            .eq(Expr::col(User::InstitutionId).is_not_null())
            .and(
                Expr::col(User::Role)
                    .eq("TRAINEE")
                    .eq(Expr::col(User::TraineeId).is_not_null()),
            );
        manager
            .create_table(
                Table::create()
                    .table(User::Table)
                    .col(pk_uuid(User::Id))
                    .col(text(User::Username))
                    .col(text(User::PasswordHash))
                    .col(
                        text(User::Role)
                            .check(("user_role_check", Expr::col(User::Role).is_in(ROLES))),
                    )
                    .col(uuid_null(User::InstitutionId))
                    .col(uuid_null(User::TraineeId))
                    .col(timestamp_with_time_zone(User::CreatedAt))
                    .col(timestamp_with_time_zone(User::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("user_institution_fkey")
                            .from(User::Table, User::InstitutionId)
                            .to(Institution::Table, Institution::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("user_trainee_fkey")
                            .from(User::Table, User::TraineeId)
                            .to(Trainee::Table, Trainee::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(("user_role_scope_check", role_scope))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_username_key")
                    .table(User::Table)
                    .col(User::Username)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_trainee_key")
                    .table(User::Table)
                    .col(User::TraineeId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(User::Table).to_owned())
            .await
    }
}

/// Identifiers of the `user` table.
#[derive(DeriveIden)]
pub enum User {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    InstitutionId,
    TraineeId,
    CreatedAt,
    UpdatedAt,
}
