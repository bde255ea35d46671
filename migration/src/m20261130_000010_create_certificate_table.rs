//! Creates `certificate`: issued for a completed enrolment, copying its track and level.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000001_create_institution_table::Institution;
use super::m20261130_000004_create_trainee_table::Trainee;
use super::m20261130_000005_create_user_table::User;
use super::m20261130_000007_create_course_table::Course;
use super::m20261130_000009_create_enrolment_table::Enrolment;

const TRACKS: [&str; 2] = ["HOST", "PROFESSIONAL"];

/// Creates the `certificate` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificate::Table)
                    .col(pk_uuid(Certificate::Id))
                    .col(text(Certificate::Number))
                    .col(uuid(Certificate::EnrolmentId))
                    .col(uuid(Certificate::TraineeId))
                    .col(uuid(Certificate::CourseId))
                    .col(uuid(Certificate::InstitutionId))
                    .col(text(Certificate::Track).check((
                        "certificate_track_check",
                        Expr::col(Certificate::Track).is_in(TRACKS),
                    )))
                    .col(integer_null(Certificate::Level).check((
                        "certificate_level_check",
                        Expr::col(Certificate::Level).between(1, 5),
                    )))
                    .col(timestamp_with_time_zone(Certificate::IssuedAt))
                    .col(date(Certificate::IssuedOn))
                    .col(timestamp_with_time_zone_null(Certificate::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Certificate::RevokedAt))
                    .col(text_null(Certificate::RevocationReason))
                    .col(uuid_null(Certificate::RevokedBy))
                    .col(timestamp_with_time_zone(Certificate::CreatedAt))
                    .col(timestamp_with_time_zone(Certificate::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("certificate_enrolment_fkey")
                            .from(Certificate::Table, Certificate::EnrolmentId)
                            .to(Enrolment::Table, Enrolment::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("certificate_trainee_fkey")
                            .from(Certificate::Table, Certificate::TraineeId)
                            .to(Trainee::Table, Trainee::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("certificate_course_fkey")
                            .from(Certificate::Table, Certificate::CourseId)
                            .to(Course::Table, Course::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("certificate_institution_fkey")
                            .from(Certificate::Table, Certificate::InstitutionId)
                            .to(Institution::Table, Institution::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("certificate_revoked_by_fkey")
                            .from(Certificate::Table, Certificate::RevokedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for index in [
            Index::create()
                .name("certificate_number_key")
                .table(Certificate::Table)
                .col(Certificate::Number)
                .unique()
                .to_owned(),
            Index::create()
                .name("certificate_enrolment_key")
                .table(Certificate::Table)
                .col(Certificate::EnrolmentId)
                .unique()
                .to_owned(),
            Index::create()
                .name("certificate_trainee_idx")
                .table(Certificate::Table)
                .col(Certificate::TraineeId)
                .to_owned(),
            Index::create()
                .name("certificate_track_issued_idx")
                .table(Certificate::Table)
                .col(Certificate::Track)
                .col(Certificate::IssuedOn)
                .to_owned(),
            Index::create()
                .name("certificate_institution_idx")
                .table(Certificate::Table)
                .col(Certificate::InstitutionId)
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certificate::Table).to_owned())
            .await
    }
}

/// Identifiers of the `certificate` table.
#[derive(DeriveIden)]
pub enum Certificate {
    Table,
    Id,
    Number,
    EnrolmentId,
    TraineeId,
    CourseId,
    InstitutionId,
    Track,
    Level,
    IssuedAt,
    /// Programme-timezone (UTC+8) date of `issued_at`: the day counts use.
    IssuedOn,
    ExpiresAt,
    RevokedAt,
    RevocationReason,
    RevokedBy,
    CreatedAt,
    UpdatedAt,
}
