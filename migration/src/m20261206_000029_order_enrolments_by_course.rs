//! Indexes enrolments by course and id, in place of the index by course alone. A course's
//! roster is its enrolments in id order, a page at a time (`enrolments(filter: {courseId})`):
//! by course alone, every page read and sorted all of the course's enrolments (863 rows on
//! 856 heap pages for a course at 1,000,000 trainees, 2.0 ms for the first 100); by course
//! and id it reads the page's rows in order (0.15 ms). Every read by course alone is
//! served by the new index's prefix, and an enrolment still writes one entry to it.

use sea_orm_migration::prelude::*;

/// Replaces `enrolment_course_idx` with `enrolment_course_order_idx`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW: &str = "enrolment_course_order_idx";
const OLD: &str = "enrolment_course_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(Alias::new("enrolment"))
                    .col(Alias::new("course_id"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD)
                    .table(Alias::new("enrolment"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(Alias::new("enrolment"))
                    .col(Alias::new("course_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(NEW)
                    .table(Alias::new("enrolment"))
                    .to_owned(),
            )
            .await
    }
}
