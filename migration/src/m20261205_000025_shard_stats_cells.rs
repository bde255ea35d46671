//! Adds a `shard` to the keys of `stats_rollup` and `stats_day`: every enrolment of an
//! institution on one day adds to the same two cells (its own, its district's), and with
//! one row per cell concurrent writers queued on those rows until each committed. Writers
//! now add today's and this month's changes to one of several shards, as they do for
//! `progress_day`; readers sum the shards (they already sum rows), and the hourly
//! compaction folds the shards of past days and months into shard 0. Existing rows become
//! shard 0.
//!
//! A primary key cannot change in place on SQLite, so each table is rebuilt (created
//! anew, filled, the old one dropped, the new one renamed), on both engines alike.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

/// Rebuilds both tables with `shard` in their keys.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns both tables share, in order, after their date column.
const MEASURES: &str = "enrolments, completions, trainees, certified_persons";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too (its DDL is transactional): the rebuild runs on one
    /// connection and is never left half done.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for cells in [Cells::Months, Cells::Days] {
            manager.create_table(cells.table(true)).await?;
            let (table, date) = cells.names();
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "INSERT INTO {table}_sharded (grain, institution_id, district, track, level, \
                     {date}, {MEASURES}, shard) SELECT grain, institution_id, district, track, \
                     level, {date}, {MEASURES}, 0 FROM {table}"
                ))
                .await?;
            cells.replace(manager).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for cells in [Cells::Months, Cells::Days] {
            manager.create_table(cells.table(false)).await?;
            let (table, date) = cells.names();
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "INSERT INTO {table}_sharded (grain, institution_id, district, track, level, \
                     {date}, {MEASURES}) SELECT grain, institution_id, district, track, level, \
                     {date}, SUM(enrolments), SUM(completions), SUM(trainees), \
                     SUM(certified_persons) FROM {table} \
                     GROUP BY grain, institution_id, district, track, level, {date}"
                ))
                .await?;
            cells.replace(manager).await?;
        }
        Ok(())
    }
}

/// The two tables of breakdown cells.
#[derive(Clone, Copy)]
enum Cells {
    /// `stats_rollup`, by `month` (`YYYY-MM`).
    Months,
    /// `stats_day`, by `day`.
    Days,
}

impl Cells {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Months => ("stats_rollup", "month"),
            Self::Days => ("stats_day", "day"),
        }
    }

    /// The table `<name>_sharded`, with the key of the original (in its column order)
    /// and, `sharded`, `shard` at its end.
    fn table(self, sharded: bool) -> TableCreateStatement {
        let (name, _) = self.names();
        let mut table = Table::create();
        table
            .table(Alias::new(format!("{name}_sharded")))
            .col(text(Cell::Grain))
            .col(uuid(Cell::InstitutionId))
            .col(text(Cell::District))
            .col(text(Cell::Track))
            .col(integer(Cell::Level));
        let mut key = Index::create();
        key.name(format!("{name}_sharded_pkey"))
            .col(Cell::Grain)
            .col(Cell::InstitutionId);
        match self {
            Self::Months => {
                table.col(text(Cell::Month));
                key.col(Cell::District)
                    .col(Cell::Track)
                    .col(Cell::Level)
                    .col(Cell::Month);
            }
            Self::Days => {
                table.col(date(Cell::Day));
                key.col(Cell::Day)
                    .col(Cell::District)
                    .col(Cell::Track)
                    .col(Cell::Level);
            }
        }
        table
            .col(integer(Cell::Enrolments))
            .col(integer(Cell::Completions))
            .col(integer(Cell::Trainees))
            .col(integer(Cell::CertifiedPersons));
        if sharded {
            table.col(integer(Cell::Shard).default(0));
            key.col(Cell::Shard);
        }
        table.primary_key(&mut key).to_owned()
    }

    /// Drops the original and renames `<name>_sharded` to its name, with its indexes.
    async fn replace(self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let (name, _) = self.names();
        manager
            .drop_table(Table::drop().table(Alias::new(name)).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(Alias::new(format!("{name}_sharded")), Alias::new(name))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // The key keeps the table's own name (SQLite names no key).
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "ALTER INDEX {name}_sharded_pkey RENAME TO {name}_pkey"
                ))
                .await?;
        }
        if let Self::Days = self {
            // The city's breakdown by institution reads a few days of every institution.
            manager
                .create_index(
                    Index::create()
                        .name("stats_day_day_idx")
                        .table(Alias::new(name))
                        .col(Cell::Grain)
                        .col(Cell::Day)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Cell {
    Grain,
    InstitutionId,
    District,
    Track,
    Level,
    Month,
    Day,
    Enrolments,
    Completions,
    Trainees,
    CertifiedPersons,
    Shard,
}
