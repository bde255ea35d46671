//! Creates `enrolment`: a trainee's place on a course and its outcome.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000004_create_trainee_table::Trainee;
use super::m20261130_000007_create_course_table::Course;

const STATUSES: [&str; 4] = ["ENROLLED", "COMPLETED", "FAILED", "WITHDRAWN"];

/// Creates the `enrolment` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enrolment::Table)
                    .col(pk_uuid(Enrolment::Id))
                    .col(uuid(Enrolment::TraineeId))
                    .col(uuid(Enrolment::CourseId))
                    .col(text(Enrolment::Status).check((
                        "enrolment_status_check",
                        Expr::col(Enrolment::Status).is_in(STATUSES),
                    )))
                    .col(timestamp_with_time_zone(Enrolment::EnrolledAt))
                    .col(date(Enrolment::EnrolledOn))
                    .col(timestamp_with_time_zone_null(Enrolment::CompletedAt))
                    .col(date_null(Enrolment::CompletedOn))
                    .col(integer_null(Enrolment::Score).check((
                        "enrolment_score_check",
                        Expr::col(Enrolment::Score).between(0, 100),
                    )))
                    .col(timestamp_with_time_zone_null(Enrolment::WithdrawnAt))
                    .col(text_null(Enrolment::WithdrawalReason))
                    .col(timestamp_with_time_zone(Enrolment::CreatedAt))
                    .col(timestamp_with_time_zone(Enrolment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("enrolment_trainee_fkey")
                            .from(Enrolment::Table, Enrolment::TraineeId)
                            .to(Trainee::Table, Trainee::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("enrolment_course_fkey")
                            .from(Enrolment::Table, Enrolment::CourseId)
                            .to(Course::Table, Course::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("enrolment_trainee_course_key")
                    .table(Enrolment::Table)
                    .col(Enrolment::TraineeId)
                    .col(Enrolment::CourseId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("enrolment_course_idx")
                    .table(Enrolment::Table)
                    .col(Enrolment::CourseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Enrolment::Table).to_owned())
            .await
    }
}

/// Identifiers of the `enrolment` table.
#[derive(DeriveIden)]
pub enum Enrolment {
    Table,
    Id,
    TraineeId,
    CourseId,
    Status,
    EnrolledAt,
    /// Programme-timezone (UTC+8) date of `enrolled_at`: the day counts group by.
    EnrolledOn,
    CompletedAt,
    /// Programme-timezone date of `completed_at`.
    CompletedOn,
    Score,
    WithdrawnAt,
    WithdrawalReason,
    CreatedAt,
    UpdatedAt,
}
