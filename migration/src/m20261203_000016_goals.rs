//! The plan's other goals (DESIGN.md §2.3): the institution kind SERVICE_INSTITUTION,
//! `programme_goal` (targets of the five goals that are not track targets),
//! `recognition` (organisations and persons counted against a goal), `indicator`
//! (monthly sales), and their maintained counts: `goal_counter`, `goal_day`,
//! `programme_certified` and `programme_person_counter`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Creates the goal tables and widens `institution_kind_check`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_KINDS: &str =
    "'TRAINING_INSTITUTION', 'LIVESTREAMING_BASE', 'INDUSTRIAL_PARK', 'ENTERPRISE'";
const NEW_KINDS: &str = "'TRAINING_INSTITUTION', 'LIVESTREAMING_BASE', 'INDUSTRIAL_PARK', 'ENTERPRISE', 'SERVICE_INSTITUTION'";

/// One statement per entry, identical on both engines (`{uuid}`, `{double}`, `{bigint}`,
/// `{ts}` are filled per engine).
const TABLES: &[&str] = &[
    "CREATE TABLE programme_goal ( \
       programme_id {uuid} NOT NULL REFERENCES programme (id) ON DELETE CASCADE, \
       kind TEXT NOT NULL CONSTRAINT programme_goal_kind_check CHECK (kind IN \
         ('SERVICE_INSTITUTIONS', 'BASES_AND_PARKS', 'ENTERPRISES_LAUNCHED', 'INFLUENTIAL_HOSTS', 'SALES_CNY')), \
       target {double} NOT NULL CONSTRAINT programme_goal_target_check CHECK (target > 0), \
       created_at {ts} NOT NULL, updated_at {ts} NOT NULL, \
       CONSTRAINT programme_goal_pkey PRIMARY KEY (programme_id, kind))",
    "CREATE TABLE recognition ( \
       id {uuid} NOT NULL CONSTRAINT recognition_pkey PRIMARY KEY, \
       programme_id {uuid} NOT NULL REFERENCES programme (id), \
       kind TEXT NOT NULL CONSTRAINT recognition_kind_check CHECK (kind IN \
         ('SERVICE_INSTITUTIONS', 'BASES_AND_PARKS', 'ENTERPRISES_LAUNCHED', 'INFLUENTIAL_HOSTS')), \
       institution_id {uuid} REFERENCES institution (id), \
       trainee_id {uuid} REFERENCES trainee (id), \
       recognised_on DATE NOT NULL, \
       evidence TEXT NOT NULL, \
       recognised_by {uuid}, \
       created_at {ts} NOT NULL, \
       withdrawn_at {ts}, \
       withdrawal_reason TEXT, \
       withdrawn_by {uuid}, \
       CONSTRAINT recognition_subject_check CHECK \
         ((institution_id IS NULL) <> (trainee_id IS NULL)))",
    // One live recognition per organisation or person, goal and programme; a withdrawn
    // one leaves room for a new one.
    "CREATE UNIQUE INDEX recognition_live_key ON recognition \
       (programme_id, kind, COALESCE(institution_id, trainee_id)) WHERE withdrawn_at IS NULL",
    "CREATE INDEX recognition_programme_idx ON recognition (programme_id, kind)",
    "CREATE TABLE indicator ( \
       programme_id {uuid} NOT NULL REFERENCES programme (id) ON DELETE CASCADE, \
       kind TEXT NOT NULL CONSTRAINT indicator_kind_check CHECK (kind = 'SALES_CNY'), \
       month TEXT NOT NULL, \
       value_fen {bigint} NOT NULL CONSTRAINT indicator_value_check CHECK (value_fen >= 0), \
       source TEXT NOT NULL, \
       recorded_at {ts} NOT NULL, \
       recorded_by {uuid}, \
       CONSTRAINT indicator_pkey PRIMARY KEY (programme_id, kind, month))",
    // Maintained: live recognitions per goal, or the sales sum in fen.
    "CREATE TABLE goal_counter ( \
       programme_id {uuid} NOT NULL, kind TEXT NOT NULL, achieved {bigint} NOT NULL, \
       CONSTRAINT goal_counter_pkey PRIMARY KEY (programme_id, kind))",
    // Maintained: the change of `achieved` dated by recognition day or sales month.
    "CREATE TABLE goal_day ( \
       programme_id {uuid} NOT NULL, kind TEXT NOT NULL, day DATE NOT NULL, \
       change {bigint} NOT NULL, \
       CONSTRAINT goal_day_pkey PRIMARY KEY (programme_id, kind, day))",
    // Maintained: per programme and person, the tracks certified within the period.
    "CREATE TABLE programme_certified ( \
       programme_id {uuid} NOT NULL, trainee_id {uuid} NOT NULL, tracks INTEGER NOT NULL, \
       CONSTRAINT programme_certified_pkey PRIMARY KEY (programme_id, trainee_id))",
    // Maintained: certified persons (any track) and those on both, sharded like
    // `programme_counter`.
    "CREATE TABLE programme_person_counter ( \
       programme_id {uuid} NOT NULL, shard INTEGER NOT NULL, persons INTEGER NOT NULL, \
       both_tracks INTEGER NOT NULL, \
       CONSTRAINT programme_person_counter_pkey PRIMARY KEY (programme_id, shard))",
    // Existing certificates: the new per-person rows and counters from `programme_person`.
    "INSERT INTO programme_certified (programme_id, trainee_id, tracks) \
       SELECT programme_id, trainee_id, COUNT(*) FROM programme_person \
       WHERE certificates > 0 GROUP BY programme_id, trainee_id",
    "INSERT INTO programme_person_counter (programme_id, shard, persons, both_tracks) \
       SELECT programme_id, 0, COUNT(*), SUM(CASE WHEN tracks = 2 THEN 1 ELSE 0 END) \
       FROM programme_certified GROUP BY programme_id",
];

const DROPS: &[&str] = &[
    "DROP TABLE programme_person_counter",
    "DROP TABLE programme_certified",
    "DROP TABLE goal_day",
    "DROP TABLE goal_counter",
    "DROP TABLE indicator",
    "DROP TABLE recognition",
    "DROP TABLE programme_goal",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for text in TABLES {
            db.execute_unprepared(&fill(text, backend)).await?;
        }
        kinds(db, backend, OLD_KINDS, NEW_KINDS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for text in DROPS {
            db.execute_unprepared(text).await?;
        }
        kinds(db, backend, NEW_KINDS, OLD_KINDS).await
    }
}

fn fill(text: &str, backend: DbBackend) -> String {
    let (uuid, double, bigint, ts) = match backend {
        DbBackend::Postgres => ("uuid", "DOUBLE PRECISION", "BIGINT", "TIMESTAMPTZ"),
        _ => (
            "uuid_text",
            "REAL",
            "BIGINT",
            "timestamp_with_timezone_text",
        ),
    };
    text.replace("{uuid}", uuid)
        .replace("{double}", double)
        .replace("{bigint}", bigint)
        .replace("{ts}", ts)
}

/// Replaces the accepted institution kinds `from` by `to`. PostgreSQL drops and adds the
/// named constraint; SQLite cannot alter a CHECK, so the stored table definition is
/// edited in place (SQLite's documented procedure for changes that leave the stored rows
/// valid: every existing row satisfies the wider check).
async fn kinds(
    db: &SchemaManagerConnection<'_>,
    backend: DbBackend,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    if backend == DbBackend::Postgres {
        return db
            .execute_unprepared(&format!(
                "ALTER TABLE institution DROP CONSTRAINT institution_kind_check; \
                 ALTER TABLE institution ADD CONSTRAINT institution_kind_check \
                 CHECK (kind IN ({to}))"
            ))
            .await
            .map(drop);
    }
    let version = db
        .query_one_raw(Statement::from_string(backend, "PRAGMA schema_version"))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    db.execute_unprepared(&format!(
        "PRAGMA writable_schema = ON; \
         UPDATE sqlite_master SET sql = replace(sql, '{}', '{}') \
         WHERE type = 'table' AND name = 'institution'; \
         PRAGMA schema_version = {}; \
         PRAGMA writable_schema = OFF;",
        from.replace('\'', "''"),
        to.replace('\'', "''"),
        version + 1
    ))
    .await
    .map(drop)
}
