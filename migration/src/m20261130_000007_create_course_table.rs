//! Creates `course`: a training course run by an institution, with its seat counter.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261130_000001_create_institution_table::Institution;

const TRACKS: [&str; 2] = ["HOST", "PROFESSIONAL"];

/// Creates the `course` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Course::Table)
                    .col(pk_uuid(Course::Id))
                    .col(uuid(Course::InstitutionId))
                    .col(text(Course::Title))
                    .col(
                        text(Course::Track)
                            .check(("course_track_check", Expr::col(Course::Track).is_in(TRACKS))),
                    )
                    .col(
                        integer_null(Course::Level)
                            .check(("course_level_check", Expr::col(Course::Level).between(1, 5))),
                    )
                    .col(
                        integer(Course::Hours)
                            .check(("course_hours_check", Expr::col(Course::Hours).gt(0))),
                    )
                    // `course_capacity_check` is taken by the seat-counter rule below.
                    .col(integer_null(Course::Capacity).check((
                        "course_capacity_positive_check",
                        Expr::col(Course::Capacity).gte(1),
                    )))
                    .col(date_null(Course::StartsOn))
                    .col(date_null(Course::EndsOn))
                    .col(integer(Course::EnrolledCount).default(0))
                    .col(timestamp_with_time_zone(Course::CreatedAt))
                    .col(timestamp_with_time_zone(Course::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("course_institution_fkey")
                            .from(Course::Table, Course::InstitutionId)
                            .to(Institution::Table, Institution::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    // An increment past capacity fails instead of overbooking the course.
                    .check((
                        "course_capacity_check",
                        Expr::col(Course::EnrolledCount).gte(0).and(
                            Expr::col(Course::Capacity)
                                .is_null()
                                .or(Expr::col(Course::EnrolledCount)
                                    .lte(Expr::col(Course::Capacity))),
                        ),
                    ))
                    .check((
                        "course_dates_check",
                        Expr::col(Course::StartsOn)
                            .is_null()
                            .or(Expr::col(Course::EndsOn).is_null())
                            .or(Expr::col(Course::StartsOn).lte(Expr::col(Course::EndsOn))),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("course_institution_idx")
                    .table(Course::Table)
                    .col(Course::InstitutionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Course::Table).to_owned())
            .await
    }
}

/// Identifiers of the `course` table.
#[derive(DeriveIden)]
pub enum Course {
    Table,
    Id,
    InstitutionId,
    Title,
    Track,
    Level,
    Hours,
    Capacity,
    StartsOn,
    EndsOn,
    EnrolledCount,
    CreatedAt,
    UpdatedAt,
}
