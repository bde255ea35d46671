//! Creates the maintained counts: per-person state and rollups, updated in the same
//! transaction as each write, so the city's numbers are read without scanning base tables.
//! Derived data: `verify-counts` recomputes every row from the base tables.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `person_track`, `programme_person`, `programme_counter`, `programme_day` and
/// `stats_rollup`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonTrack::Table)
                    .col(uuid(PersonTrack::TraineeId))
                    .col(text(PersonTrack::Track))
                    .col(integer(PersonTrack::EnrolledNow))
                    .col(uuid(PersonTrack::FirstEnrolmentId))
                    .col(timestamp_with_time_zone(PersonTrack::FirstEnrolledAt))
                    .col(uuid_null(PersonTrack::FirstCertificateId))
                    .col(timestamp_with_time_zone_null(PersonTrack::FirstCertifiedAt))
                    .primary_key(
                        Index::create()
                            .name("person_track_pkey")
                            .col(PersonTrack::TraineeId)
                            .col(PersonTrack::Track),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammePerson::Table)
                    .col(uuid(ProgrammePerson::ProgrammeId))
                    .col(uuid(ProgrammePerson::TraineeId))
                    .col(text(ProgrammePerson::Track))
                    .col(integer(ProgrammePerson::Certificates))
                    .col(date_null(ProgrammePerson::FirstOn))
                    .primary_key(
                        Index::create()
                            .name("programme_person_pkey")
                            .col(ProgrammePerson::ProgrammeId)
                            .col(ProgrammePerson::TraineeId)
                            .col(ProgrammePerson::Track),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeCounter::Table)
                    .col(uuid(ProgrammeCounter::ProgrammeId))
                    .col(text(ProgrammeCounter::Track))
                    .col(integer(ProgrammeCounter::Shard))
                    .col(integer(ProgrammeCounter::Certified))
                    .col(integer(ProgrammeCounter::InTraining))
                    .primary_key(
                        Index::create()
                            .name("programme_counter_pkey")
                            .col(ProgrammeCounter::ProgrammeId)
                            .col(ProgrammeCounter::Track)
                            .col(ProgrammeCounter::Shard),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeDay::Table)
                    .col(uuid(ProgrammeDay::ProgrammeId))
                    .col(text(ProgrammeDay::Track))
                    .col(date(ProgrammeDay::Day))
                    .col(integer(ProgrammeDay::NewlyCertified))
                    .primary_key(
                        Index::create()
                            .name("programme_day_pkey")
                            .col(ProgrammeDay::ProgrammeId)
                            .col(ProgrammeDay::Track)
                            .col(ProgrammeDay::Day),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatsRollup::Table)
                    .col(text(StatsRollup::Grain))
                    .col(uuid(StatsRollup::InstitutionId))
                    .col(text(StatsRollup::District))
                    .col(text(StatsRollup::Track))
                    .col(integer(StatsRollup::Level))
                    .col(text(StatsRollup::Month))
                    .col(integer(StatsRollup::Enrolments))
                    .col(integer(StatsRollup::Completions))
                    .col(integer(StatsRollup::Trainees))
                    .col(integer(StatsRollup::CertifiedPersons))
                    .primary_key(
                        Index::create()
                            .name("stats_rollup_pkey")
                            .col(StatsRollup::Grain)
                            .col(StatsRollup::InstitutionId)
                            .col(StatsRollup::District)
                            .col(StatsRollup::Track)
                            .col(StatsRollup::Level)
                            .col(StatsRollup::Month),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StatsRollup::Table.into_iden(),
            ProgrammeDay::Table.into_iden(),
            ProgrammeCounter::Table.into_iden(),
            ProgrammePerson::Table.into_iden(),
            PersonTrack::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Per person and track: ENROLLED enrolments now, and the enrolment and certificate the
/// person is attributed to in breakdowns (the earliest by time, then id).
#[derive(DeriveIden)]
enum PersonTrack {
    Table,
    TraineeId,
    Track,
    EnrolledNow,
    FirstEnrolmentId,
    FirstEnrolledAt,
    FirstCertificateId,
    FirstCertifiedAt,
}

/// Per programme, person and track: unrevoked certificates issued in the period.
#[derive(DeriveIden)]
enum ProgrammePerson {
    Table,
    ProgrammeId,
    TraineeId,
    Track,
    Certificates,
    FirstOn,
}

/// Per programme and track, split into shards so concurrent writers rarely share a row;
/// readers sum the shards.
#[derive(DeriveIden)]
enum ProgrammeCounter {
    Table,
    ProgrammeId,
    Track,
    Shard,
    Certified,
    InTraining,
}

/// Per programme, track and day: persons whose first certificate in the period is that day.
#[derive(DeriveIden)]
enum ProgrammeDay {
    Table,
    ProgrammeId,
    Track,
    Day,
    NewlyCertified,
}

/// Breakdown counts per cell (institution, track, level, month) at grain `INSTITUTION`,
/// and per (district, track, level, month) at grain `DISTRICT`.
#[derive(DeriveIden)]
enum StatsRollup {
    Table,
    Grain,
    InstitutionId,
    District,
    Track,
    Level,
    Month,
    Enrolments,
    Completions,
    Trainees,
    CertifiedPersons,
}
