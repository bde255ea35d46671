//! Creates `course_seat`: the seats taken of a course without a capacity, in shards, so
//! that enrolments into one open course do not all update its row (which each held
//! until it committed). A course's seats taken are its `enrolled_count` plus its shards;
//! giving it a capacity folds the shards into `enrolled_count` under the course's lock.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `course_seat` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CourseSeat::Table)
                    .col(uuid(CourseSeat::CourseId))
                    .col(integer(CourseSeat::Shard))
                    // Seats taken (negative: freed) on this shard since the last fold.
                    .col(integer(CourseSeat::Taken))
                    .primary_key(
                        Index::create()
                            .name("course_seat_pkey")
                            .col(CourseSeat::CourseId)
                            .col(CourseSeat::Shard),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("course_seat_course_id_fkey")
                            .from(CourseSeat::Table, CourseSeat::CourseId)
                            .to(Course::Table, Course::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CourseSeat::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CourseSeat {
    Table,
    CourseId,
    Shard,
    Taken,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
}
