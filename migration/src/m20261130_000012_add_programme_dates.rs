//! Adds the programme-calendar (UTC+8) days that counts group and filter by:
//! `enrolment.enrolled_on`, `enrolment.completed_on`, `certificate.issued_on`, backfilled
//! from the instants, and indexes certificates by (track, issued_on).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

/// Adds and backfills the day columns.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE, and a NOT NULL column needs a default.
        for (table, column) in [
            (
                Enrolment::Table.into_iden(),
                date(Enrolment::EnrolledOn).default("1970-01-01").to_owned(),
            ),
            (
                Enrolment::Table.into_iden(),
                date_null(Enrolment::CompletedOn),
            ),
            (
                Certificate::Table.into_iden(),
                date(Certificate::IssuedOn).default("1970-01-01").to_owned(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        let day = |col: &str| match manager.get_database_backend() {
            DbBackend::Postgres => format!("({col} AT TIME ZONE 'Asia/Shanghai')::date"),
            _ => format!("date({col}, '+8 hours')"),
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE enrolment SET enrolled_on = {}, completed_on = {}",
            day("enrolled_at"),
            day("completed_at")
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE certificate SET issued_on = {}",
            day("issued_at")
        ))
        .await?;
        // Plain DROP INDEX works on both engines; the new index gets a new name.
        db.execute_unprepared("DROP INDEX IF EXISTS certificate_track_issued_idx")
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("certificate_track_issued_on_idx")
                    .table(Certificate::Table)
                    .col(Certificate::Track)
                    .col(Certificate::IssuedOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS certificate_track_issued_on_idx")
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("certificate_track_issued_idx")
                    .table(Certificate::Table)
                    .col(Certificate::Track)
                    .col(Certificate::IssuedAt)
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            (
                Enrolment::Table.into_iden(),
                Enrolment::EnrolledOn.into_iden(),
            ),
            (
                Enrolment::Table.into_iden(),
                Enrolment::CompletedOn.into_iden(),
            ),
            (
                Certificate::Table.into_iden(),
                Certificate::IssuedOn.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Enrolment {
    Table,
    EnrolledOn,
    CompletedOn,
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    Track,
    IssuedAt,
    IssuedOn,
}
