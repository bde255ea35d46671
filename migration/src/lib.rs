//! Schema migrations of talent-registry, applied in order by [`Migrator`]; frozen once released.

pub use sea_orm_migration::prelude::*;

mod m20261130_000001_create_institution_table;
mod m20261130_000002_create_programme_table;
mod m20261130_000003_create_programme_target_table;
mod m20261130_000004_create_trainee_table;
mod m20261130_000005_create_user_table;
mod m20261130_000006_create_session_table;
mod m20261130_000007_create_course_table;
mod m20261130_000008_create_trainee_institution_table;
mod m20261130_000009_create_enrolment_table;
mod m20261130_000010_create_certificate_table;
mod m20261130_000011_create_counting_tables;
mod m20261130_000012_create_audit_log_table;
mod m20261203_000013_accounts;
mod m20261203_000014_assessment_dates;
mod m20261203_000015_add_audit_detail;
mod m20261203_000016_goals;
mod m20261203_000017_index_programme_person_by_trainee;
mod m20261203_000018_stats_day;
mod m20261203_000019_progress_day;
mod m20261203_000020_close_programme;
mod m20261204_000021_create_progress_month;
mod m20261204_000022_add_credential_kinds;
mod m20261204_000023_create_subsidy_claim_table;
mod m20261205_000024_create_rate_limit_hit_table;
mod m20261205_000025_shard_stats_cells;
mod m20261205_000026_create_course_seat_table;
mod m20261206_000027_add_district_totals;
mod m20261206_000028_index_progress_days_by_day;
mod m20261206_000029_order_enrolments_by_course;
mod m20261206_000030_certificates_by_trainee_and_institution;

/// Runs the migrations of this crate, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_create_institution_table::Migration),
            Box::new(m20261130_000002_create_programme_table::Migration),
            Box::new(m20261130_000003_create_programme_target_table::Migration),
            Box::new(m20261130_000004_create_trainee_table::Migration),
            Box::new(m20261130_000005_create_user_table::Migration),
            Box::new(m20261130_000006_create_session_table::Migration),
            Box::new(m20261130_000007_create_course_table::Migration),
            Box::new(m20261130_000008_create_trainee_institution_table::Migration),
            Box::new(m20261130_000009_create_enrolment_table::Migration),
            Box::new(m20261130_000010_create_certificate_table::Migration),
            Box::new(m20261130_000011_create_counting_tables::Migration),
            Box::new(m20261130_000012_create_audit_log_table::Migration),
            Box::new(m20261203_000013_accounts::Migration),
            Box::new(m20261203_000014_assessment_dates::Migration),
            Box::new(m20261203_000015_add_audit_detail::Migration),
            Box::new(m20261203_000016_goals::Migration),
            Box::new(m20261203_000017_index_programme_person_by_trainee::Migration),
            Box::new(m20261203_000018_stats_day::Migration),
            Box::new(m20261203_000019_progress_day::Migration),
            Box::new(m20261203_000020_close_programme::Migration),
            Box::new(m20261204_000021_create_progress_month::Migration),
            Box::new(m20261204_000022_add_credential_kinds::Migration),
            Box::new(m20261204_000023_create_subsidy_claim_table::Migration),
            Box::new(m20261205_000024_create_rate_limit_hit_table::Migration),
            Box::new(m20261205_000025_shard_stats_cells::Migration),
            Box::new(m20261205_000026_create_course_seat_table::Migration),
            Box::new(m20261206_000027_add_district_totals::Migration),
            Box::new(m20261206_000028_index_progress_days_by_day::Migration),
            Box::new(m20261206_000029_order_enrolments_by_course::Migration),
            Box::new(m20261206_000030_certificates_by_trainee_and_institution::Migration),
        ]
    }
}
