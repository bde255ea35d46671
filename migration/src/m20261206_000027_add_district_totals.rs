//! Adds the `DISTRICT_TOTAL` grain to `stats_rollup` and `stats_day`: one row per district
//! and date with every track and level summed (institution id nil, track `*`, level 0),
//! so a breakdown by district and month alone reads one row per district-month instead of
//! summing a row per track and level. Writers keep them from now on; this fills them from
//! the district rows, shard by shard.

use sea_orm_migration::prelude::*;

/// Fills the district totals of both tables from their district rows.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables of breakdown cells and their date columns.
const TABLES: [(&str, &str); 2] = [("stats_rollup", "month"), ("stats_day", "day")];

/// The measures, in the tables' column order.
const MEASURES: &str = "enrolments, completions, trainees, certified_persons";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, date) in TABLES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "INSERT INTO {table} (grain, institution_id, district, track, level, {date}, \
                     shard, {MEASURES}) SELECT 'DISTRICT_TOTAL', institution_id, district, '*', 0, \
                     {date}, shard, SUM(enrolments), SUM(completions), SUM(trainees), \
                     SUM(certified_persons) FROM {table} WHERE grain = 'DISTRICT' \
                     GROUP BY institution_id, district, {date}, shard"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _) in TABLES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DELETE FROM {table} WHERE grain = 'DISTRICT_TOTAL'"
                ))
                .await?;
        }
        Ok(())
    }
}
