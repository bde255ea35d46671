//! Recounts of every maintained count from the base tables: [`super::verify`] compares
//! them with the stored rows, `rebuild` replaces the stored rows (after a bulk load), and
//! a new programme is backfilled from them.

use std::collections::BTreeMap;

use chrono::NaiveDate;

pub use super::verify::{stored, verify};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::cell::{ALL_TRACKS, Grain, Totals, read_int, track};
use super::sql;
use crate::domain::Track;
use crate::entity::{programme, programme_counter, programme_day};
use crate::error::AppError;

/// The programmes' maintained totals and day series, keyed for comparison. The
/// per-person tables (`person_track`, `programme_person`) and the breakdown cells
/// (`stats_day`, `stats_rollup`) are compared in SQL, row by row, without holding them
/// in memory.
#[derive(Debug, Default, PartialEq)]
pub struct Snapshot {
    pub(super) totals: BTreeMap<(Uuid, Track), Totals>,
    pub(super) days: BTreeMap<(Uuid, Track, NaiveDate), i64>,
}

/// First enrolment per person and track, with the ENROLLED count.
pub(super) const PERSON_TRACK: &str = "WITH en AS ( \
       SELECT e.trainee_id, c.track, e.id, e.enrolled_at, e.status, \
       ROW_NUMBER() OVER (PARTITION BY e.trainee_id, c.track ORDER BY e.enrolled_at, e.id) AS rn \
       FROM enrolment e JOIN course c ON c.id = e.course_id), \
     ce AS ( \
       SELECT t.trainee_id, t.track, t.id, t.issued_at, \
       ROW_NUMBER() OVER (PARTITION BY t.trainee_id, t.track ORDER BY t.issued_on, t.issued_at, t.id) AS rn \
       FROM certificate t WHERE t.revoked_at IS NULL), \
     now_enrolled AS ( \
       SELECT trainee_id, track, SUM(CASE WHEN status = 'ENROLLED' THEN 1 ELSE 0 END) AS n \
       FROM en GROUP BY trainee_id, track) \
     SELECT en.trainee_id, en.track, ne.n AS enrolled_now, en.id AS first_enrolment_id, \
       en.enrolled_at AS first_enrolled_at, ce.id AS first_certificate_id, \
       ce.issued_at AS first_certified_at \
     FROM en JOIN now_enrolled ne ON ne.trainee_id = en.trainee_id AND ne.track = en.track \
     LEFT JOIN ce ON ce.trainee_id = en.trainee_id AND ce.track = en.track AND ce.rn = 1 \
     WHERE en.rn = 1";

/// Per programme, person and track: unrevoked certificates of a counted kind in the
/// period (the kind test of [`sql::COUNTED_KIND`], against the joined programme's column).
pub(super) const PROGRAMME_PERSON: &str = "SELECT p.id AS programme_id, t.trainee_id, t.track, \
       COUNT(*) AS certificates, MIN(t.issued_on) AS first_on \
     FROM certificate t JOIN programme p ON t.issued_on >= p.starts_on AND t.issued_on <= p.ends_on \
       AND (',' || p.counted_kinds || ',') LIKE ('%,' || t.kind || ',%') \
     WHERE t.revoked_at IS NULL GROUP BY p.id, t.trainee_id, t.track";

/// Where `verify` materializes [`PERSON_TRACK`] and [`PROGRAMME_PERSON`], so each
/// window query runs once.
pub(super) const RECOUNT_PERSON_TRACK: &str = "recount_person_track";
pub(super) const RECOUNT_PROGRAMME_PERSON: &str = "recount_programme_person";
/// Where `verify` recounts `stats_day`.
pub(super) const RECOUNT_STATS_DAY: &str = "recount_stats_day";

/// Recounts the programmes' totals and day series, reading the per-person rows from the
/// tables `person_track` (rows of [`PERSON_TRACK`]) and `programme_person` (rows of
/// [`PROGRAMME_PERSON`], or the stored table, whose zero rows are skipped).
pub(super) async fn recount(
    db: &impl ConnectionTrait,
    person_track: &str,
    programme_person: &str,
) -> Result<Snapshot, AppError> {
    let mut snap = Snapshot::default();
    for row in sql::query(
        db,
        &format!(
            "SELECT programme_id, track, first_on, COUNT(*) AS n FROM {programme_person} \
             WHERE certificates > 0 GROUP BY programme_id, track, first_on"
        ),
        vec![],
    )
    .await?
    {
        let programme: Uuid = row.try_get("", "programme_id")?;
        let track = track(&row.try_get::<String>("", "track")?)?;
        let n = read_int(&row, "n")?;
        snap.totals.entry((programme, track)).or_default().certified += n;
        *snap
            .days
            .entry((programme, track, row.try_get("", "first_on")?))
            .or_default() += n;
    }
    // In training: enrolled now on the track and not certified in the programme.
    for row in sql::query(
        db,
        &format!(
            "SELECT p.id AS programme_id, pt.track, COUNT(*) AS n \
             FROM {person_track} pt CROSS JOIN programme p WHERE pt.enrolled_now > 0 \
             AND NOT EXISTS (SELECT 1 FROM {programme_person} pp WHERE pp.programme_id = p.id \
               AND pp.trainee_id = pt.trainee_id AND pp.track = pt.track AND pp.certificates > 0) \
             GROUP BY p.id, pt.track"
        ),
        vec![],
    )
    .await?
    {
        let key = (
            row.try_get("", "programme_id")?,
            track(&row.try_get::<String>("", "track")?)?,
        );
        snap.totals.entry(key).or_default().in_training += read_int(&row, "n")?;
    }
    Ok(snap)
}

/// The breakdown cells per day at institution grain, with the four measures, from the
/// base tables: each measure grouped by its own event day, then the four summed per
/// cell. `person_track` is a table of [`PERSON_TRACK`]'s rows.
fn day_cells(person_track: &str) -> String {
    let course_cell = "c.institution_id, i.district, c.track, COALESCE(c.level, 0) AS level";
    let from_enrolment = "FROM enrolment e JOIN course c ON c.id = e.course_id \
         JOIN institution i ON i.id = c.institution_id";
    let n = "CAST(COUNT(*) AS INTEGER)";
    format!(
        "SELECT institution_id, district, track, level, day, SUM(enrolments) AS enrolments, \
           SUM(completions) AS completions, SUM(trainees) AS trainees, \
           SUM(certified_persons) AS certified_persons FROM ( \
         SELECT {course_cell}, e.enrolled_on AS day, {n} AS enrolments, 0 AS completions, \
           0 AS trainees, 0 AS certified_persons {from_enrolment} GROUP BY 1, 2, 3, 4, 5 \
         UNION ALL SELECT {course_cell}, e.assessed_on, 0, {n}, 0, 0 {from_enrolment} \
           WHERE e.status = 'COMPLETED' GROUP BY 1, 2, 3, 4, 5 \
         UNION ALL SELECT {course_cell}, e.enrolled_on, 0, 0, {n}, 0 {from_enrolment} \
           JOIN {person_track} pt ON pt.first_enrolment_id = e.id GROUP BY 1, 2, 3, 4, 5 \
         UNION ALL SELECT t.institution_id, i.district, t.track, COALESCE(t.level, 0), \
           t.issued_on, 0, 0, 0, {n} FROM certificate t \
           JOIN institution i ON i.id = t.institution_id \
           JOIN {person_track} pt ON pt.first_certificate_id = t.id GROUP BY 1, 2, 3, 4, 5 \
         ) u GROUP BY institution_id, district, track, level, day"
    )
}

/// The columns of `stats_day`, in order.
const DAY_COLUMNS: &str = "grain, institution_id, district, track, level, day, \
     enrolments, completions, trainees, certified_persons";

/// Fills `table` (shaped like `stats_day`, empty) with the recounted day cells at every
/// grain: institution rows from the base tables, district rows and district totals
/// summed from them.
pub(super) async fn fill_days(
    db: &impl ConnectionTrait,
    table: &str,
    person_track: &str,
) -> Result<(), AppError> {
    let institution = Grain::Institution.as_str();
    sql::query(
        db,
        &format!(
            "INSERT INTO {table} ({DAY_COLUMNS}) SELECT '{institution}', institution_id, \
             district, track, level, day, enrolments, completions, trainees, certified_persons \
             FROM ({}) d",
            day_cells(person_track)
        ),
        vec![],
    )
    .await?;
    sql::query(
        db,
        &format!(
            "INSERT INTO {table} ({DAY_COLUMNS}) SELECT '{}', ?, district, track, level, day, \
             SUM(enrolments), SUM(completions), SUM(trainees), SUM(certified_persons) \
             FROM {table} WHERE grain = '{institution}' GROUP BY district, track, level, day",
            Grain::District.as_str()
        ),
        vec![Uuid::nil().into()],
    )
    .await?;
    sql::query(
        db,
        &format!(
            "INSERT INTO {table} ({DAY_COLUMNS}) SELECT '{}', ?, district, '{ALL_TRACKS}', 0, \
             day, SUM(enrolments), SUM(completions), SUM(trainees), SUM(certified_persons) \
             FROM {table} WHERE grain = '{institution}' GROUP BY district, day",
            Grain::DistrictTotal.as_str()
        ),
        vec![Uuid::nil().into()],
    )
    .await?;
    Ok(())
}

/// The `stats_rollup` rows of the day cells in `table`: each month's days summed.
pub(super) fn months_of(table: &str) -> String {
    let month = "SUBSTR(CAST(day AS TEXT), 1, 7)";
    format!(
        "SELECT grain, institution_id, district, track, level, {month} AS month, \
         SUM(enrolments) AS enrolments, SUM(completions) AS completions, \
         SUM(trainees) AS trainees, SUM(certified_persons) AS certified_persons \
         FROM {table} GROUP BY grain, institution_id, district, track, level, {month}"
    )
}

/// Replaces every stored count with a recount, in one transaction (after a bulk load,
/// or to repair). Writers wait on PostgreSQL's table locks meanwhile.
pub async fn rebuild(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await?;
    lock_writers(&txn).await?;
    for table in [
        "person_track",
        "stats_rollup",
        "stats_day",
        "programme_person",
        "programme_counter",
        "programme_day",
        "programme_certified",
        "programme_person_counter",
    ] {
        sql::query(&txn, &format!("DELETE FROM {table}"), vec![]).await?;
    }
    sql::query(
        &txn,
        &format!(
            "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
             first_enrolled_at, first_certificate_id, first_certified_at) \
             SELECT trainee_id, track, enrolled_now, first_enrolment_id, first_enrolled_at, \
             first_certificate_id, first_certified_at FROM ({PERSON_TRACK}) pt"
        ),
        vec![],
    )
    .await?;
    sql::query(
        &txn,
        &format!(
            "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
             SELECT programme_id, trainee_id, track, certificates, first_on FROM ({PROGRAMME_PERSON}) pp"
        ),
        vec![],
    )
    .await?;
    fill_days(&txn, "stats_day", "person_track").await?;
    sql::query(
        &txn,
        &format!(
            "INSERT INTO stats_rollup (grain, institution_id, district, track, level, month, \
             enrolments, completions, trainees, certified_persons) {}",
            months_of("stats_day")
        ),
        vec![],
    )
    .await?;
    let snap = recount(&txn, "person_track", "programme_person").await?;
    write_rollups(&txn, &snap).await?;
    super::persons::backfill(&txn, None).await?;
    super::goals::rebuild(&txn).await?;
    super::as_of::recount::rebuild(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Backfills the counts of a programme created now, inside its creating transaction.
pub async fn backfill_programme(
    db: &impl ConnectionTrait,
    created: &programme::Model,
) -> Result<(), AppError> {
    lock_writers(db).await?;
    sql::query(
        db,
        &format!(
            "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
             SELECT ?, trainee_id, track, COUNT(*), MIN(issued_on) FROM certificate \
             WHERE revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? AND {} \
             GROUP BY trainee_id, track",
            sql::COUNTED_KIND
        ),
        vec![
            created.id.into(),
            created.starts_on.into(),
            created.ends_on.into(),
            created.counted_kinds.clone().into(),
        ],
    )
    .await?;
    sql::query(
        db,
        "INSERT INTO programme_day (programme_id, track, day, newly_certified) \
         SELECT programme_id, track, first_on, COUNT(*) FROM programme_person \
         WHERE programme_id = ? GROUP BY programme_id, track, first_on",
        vec![created.id.into()],
    )
    .await?;
    sql::query(
        db,
        "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) \
         SELECT ?, pt.track, 0, \
           (SELECT COUNT(*) FROM programme_person pp WHERE pp.programme_id = ? AND pp.track = pt.track), \
           SUM(CASE WHEN pt.enrolled_now > 0 AND NOT EXISTS (SELECT 1 FROM programme_person pp \
             WHERE pp.programme_id = ? AND pp.trainee_id = pt.trainee_id AND pp.track = pt.track) \
             THEN 1 ELSE 0 END) \
         FROM person_track pt GROUP BY pt.track",
        vec![created.id.into(), created.id.into(), created.id.into()],
    )
    .await?;
    super::persons::backfill(db, Some(created.id)).await?;
    let period = super::day_changes::Period::of(created)?;
    super::as_of::recount::backfill(db, period).await
}

/// On PostgreSQL, holds off concurrent writers of certificates and enrolments until the
/// transaction ends, so a recount cannot miss a write that commits meanwhile. (SQLite has
/// one writer at a time anyway.)
pub(super) async fn lock_writers(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        sql::query(
            db,
            "LOCK TABLE enrolment, certificate, person_track IN SHARE ROW EXCLUSIVE MODE",
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// Writes the recounted rollups into the emptied tables.
async fn write_rollups(db: &impl ConnectionTrait, snap: &Snapshot) -> Result<(), AppError> {
    let mut counters = Vec::with_capacity(snap.totals.len());
    for ((programme, track), totals) in &snap.totals {
        counters.push(programme_counter::ActiveModel {
            programme_id: Set(*programme),
            track: Set(track.as_str().to_owned()),
            shard: Set(0),
            certified: Set(int(totals.certified)?),
            in_training: Set(int(totals.in_training)?),
        });
    }
    insert_chunked(db, counters).await?;
    let mut days = Vec::with_capacity(snap.days.len());
    for ((programme, track, day), n) in &snap.days {
        days.push(programme_day::ActiveModel {
            programme_id: Set(*programme),
            track: Set(track.as_str().to_owned()),
            day: Set(*day),
            newly_certified: Set(int(*n)?),
        });
    }
    insert_chunked(db, days).await
}

/// A recounted figure as its `integer` column.
fn int(n: i64) -> Result<i32, AppError> {
    i32::try_from(n).map_err(|_| AppError::Internal(anyhow::anyhow!("count {n} out of range")))
}

/// Inserts `rows`, [`sql::ROWS`] to a statement.
pub(super) async fn insert_chunked<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
) -> Result<(), AppError> {
    for chunk in rows.chunks(sql::ROWS) {
        A::Entity::insert_many(chunk.iter().cloned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
