//! Adds `stats_day`: the breakdown cells of `stats_rollup` per day instead of per month,
//! so `stats` answers a date range that cuts months from maintained cells (the edge
//! months' days) instead of a recount over the base tables. Backfilled from the base
//! tables and the maintained `person_track` (each person's attributed enrolment and
//! certificate), by the definitions of `docs/counting.md`.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

/// Creates and backfills `stats_day`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Institution-grain rows: each measure counted on its own event day.
const BACKFILL_INSTITUTIONS: &str = "INSERT INTO stats_day (grain, institution_id, district, \
     track, level, day, enrolments, completions, trainees, certified_persons) \
   SELECT 'INSTITUTION', institution_id, district, track, level, day, SUM(en), SUM(co), \
     SUM(tr), SUM(ce) FROM ( \
     SELECT c.institution_id, i.district, c.track, COALESCE(c.level, 0) AS level, \
       e.enrolled_on AS day, 1 AS en, 0 AS co, \
       CASE WHEN pt.first_enrolment_id IS NULL THEN 0 ELSE 1 END AS tr, 0 AS ce \
       FROM enrolment e JOIN course c ON c.id = e.course_id \
       JOIN institution i ON i.id = c.institution_id \
       LEFT JOIN person_track pt ON pt.first_enrolment_id = e.id \
     UNION ALL SELECT c.institution_id, i.district, c.track, COALESCE(c.level, 0), \
       e.assessed_on, 0, 1, 0, 0 \
       FROM enrolment e JOIN course c ON c.id = e.course_id \
       JOIN institution i ON i.id = c.institution_id WHERE e.status = 'COMPLETED' \
     UNION ALL SELECT t.institution_id, i.district, t.track, COALESCE(t.level, 0), \
       t.issued_on, 0, 0, 0, 1 FROM person_track pt \
       JOIN certificate t ON t.id = pt.first_certificate_id \
       JOIN institution i ON i.id = t.institution_id \
   ) events GROUP BY institution_id, district, track, level, day";

/// District-grain rows (institution id nil), summed from the institution rows.
const BACKFILL_DISTRICTS: &str = "INSERT INTO stats_day (grain, institution_id, district, \
     track, level, day, enrolments, completions, trainees, certified_persons) \
   SELECT 'DISTRICT', ?, district, track, level, day, SUM(enrolments), SUM(completions), \
     SUM(trainees), SUM(certified_persons) FROM stats_day WHERE grain = 'INSTITUTION' \
   GROUP BY district, track, level, day";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StatsDay::Table)
                    .col(text(StatsDay::Grain))
                    .col(uuid(StatsDay::InstitutionId))
                    .col(text(StatsDay::District))
                    .col(text(StatsDay::Track))
                    .col(integer(StatsDay::Level))
                    .col(date(StatsDay::Day))
                    .col(integer(StatsDay::Enrolments))
                    .col(integer(StatsDay::Completions))
                    .col(integer(StatsDay::Trainees))
                    .col(integer(StatsDay::CertifiedPersons))
                    // An institution's days (and the district rows, under the nil id)
                    // lie together: an institution's share reads a range of its key.
                    .primary_key(
                        Index::create()
                            .name("stats_day_pkey")
                            .col(StatsDay::Grain)
                            .col(StatsDay::InstitutionId)
                            .col(StatsDay::Day)
                            .col(StatsDay::District)
                            .col(StatsDay::Track)
                            .col(StatsDay::Level),
                    )
                    .to_owned(),
            )
            .await?;
        // The city's breakdown by institution reads a few days of every institution.
        manager
            .create_index(
                Index::create()
                    .name("stats_day_day_idx")
                    .table(StatsDay::Table)
                    .col(StatsDay::Grain)
                    .col(StatsDay::Day)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(BACKFILL_INSTITUTIONS).await?;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => BACKFILL_DISTRICTS.replace('?', "$1"),
                _ => BACKFILL_DISTRICTS.to_owned(),
            },
            [sea_orm_migration::sea_orm::prelude::Uuid::nil().into()],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StatsDay::Table).to_owned())
            .await
    }
}

/// Breakdown counts per cell (institution, track, level, day) at grain `INSTITUTION`,
/// and per (district, track, level, day) at grain `DISTRICT`.
#[derive(DeriveIden)]
enum StatsDay {
    Table,
    Grain,
    InstitutionId,
    District,
    Track,
    Level,
    Day,
    Enrolments,
    Completions,
    Trainees,
    CertifiedPersons,
}
