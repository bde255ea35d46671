//! Recounts of every maintained count from the base tables: `verify-counts` compares them
//! with the stored rows, `rebuild` replaces the stored rows (after a bulk load), and a new
//! programme is backfilled from them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, IsolationLevel, QueryResult, TransactionTrait,
    Value,
};
use uuid::Uuid;

use super::counting::{Cell, GRAIN_INSTITUTION, Measures};
use super::sql;
use crate::entity::programme;
use crate::error::AppError;

/// Every maintained rollup, keyed for comparison. The per-person tables
/// (`person_track`, `programme_person`) are compared in SQL, row by row, without
/// holding them in memory.
#[derive(Debug, Default, PartialEq)]
pub struct Snapshot {
    stats: BTreeMap<(String, Cell), Measures>,
    counters: BTreeMap<(Uuid, String), [i64; 2]>,
    days: BTreeMap<(Uuid, String, NaiveDate), i64>,
}

/// First enrolment per person and track, with the ENROLLED count.
const PERSON_TRACK: &str = "WITH en AS ( \
       SELECT e.trainee_id, c.track, e.id, e.enrolled_at, e.status, \
       ROW_NUMBER() OVER (PARTITION BY e.trainee_id, c.track ORDER BY e.enrolled_at, e.id) AS rn \
       FROM enrolment e JOIN course c ON c.id = e.course_id), \
     ce AS ( \
       SELECT t.trainee_id, t.track, t.id, t.issued_at, \
       ROW_NUMBER() OVER (PARTITION BY t.trainee_id, t.track ORDER BY t.issued_at, t.id) AS rn \
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

/// Per programme, person and track: unrevoked certificates in the period.
const PROGRAMME_PERSON: &str = "SELECT p.id AS programme_id, t.trainee_id, t.track, \
       COUNT(*) AS certificates, MIN(t.issued_on) AS first_on \
     FROM certificate t JOIN programme p ON t.issued_on >= p.starts_on AND t.issued_on <= p.ends_on \
     WHERE t.revoked_at IS NULL GROUP BY p.id, t.trainee_id, t.track";

/// Where `verify` materializes [`PERSON_TRACK`] and [`PROGRAMME_PERSON`], so each
/// window query runs once.
const RECOUNT_PERSON_TRACK: &str = "recount_person_track";
const RECOUNT_PROGRAMME_PERSON: &str = "recount_programme_person";

/// Recounts the rollups from the base tables, reading the per-person rows from the tables
/// `person_track` (rows of [`PERSON_TRACK`]) and `programme_person` (rows of
/// [`PROGRAMME_PERSON`], or the stored table, whose zero rows are skipped).
async fn recount(
    db: &impl ConnectionTrait,
    person_track: &str,
    programme_person: &str,
) -> Result<Snapshot, AppError> {
    let mut snap = Snapshot::default();
    for (measure, text, _) in measure_queries(person_track) {
        for row in sql::query(db, &text, vec![]).await? {
            let (cell, n) = read_cell(&row)?;
            for key in both_grains(cell) {
                snap.stats.entry(key).or_default()[measure] += n;
            }
        }
    }
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
        let track: String = row.try_get("", "track")?;
        let n = read_int(&row, "n")?;
        snap.counters.entry((programme, track.clone())).or_default()[0] += n;
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
        let key = (row.try_get("", "programme_id")?, row.try_get("", "track")?);
        snap.counters.entry(key).or_default()[1] += read_int(&row, "n")?;
    }
    Ok(snap)
}

/// The four measure queries at institution grain: (measure index, SQL with a
/// `WHERE 1 = 1` to extend, the event-date column). `person_track` is a table or a
/// parenthesized query of [`PERSON_TRACK`]'s rows.
fn measure_queries(person_track: &str) -> [(usize, String, &'static str); 4] {
    let month = |col: &str| format!("SUBSTR(CAST({col} AS TEXT), 1, 7)");
    let course_cell = "c.institution_id, c.track, i.district, COALESCE(c.level, 0) AS level";
    let from_enrolment = "FROM enrolment e JOIN course c ON c.id = e.course_id \
         JOIN institution i ON i.id = c.institution_id";
    [
        (
            0,
            format!(
                "SELECT {course_cell}, {} AS month, COUNT(*) AS n {from_enrolment} \
                 WHERE 1 = 1 GROUP BY 1, 2, 3, 4, 5",
                month("e.enrolled_on")
            ),
            "e.enrolled_on",
        ),
        (
            1,
            format!(
                "SELECT {course_cell}, {} AS month, COUNT(*) AS n {from_enrolment} \
                 WHERE 1 = 1 AND e.status = 'COMPLETED' GROUP BY 1, 2, 3, 4, 5",
                month("e.completed_on")
            ),
            "e.completed_on",
        ),
        (
            2,
            format!(
                "SELECT {course_cell}, {} AS month, COUNT(*) AS n {from_enrolment} \
                 JOIN {person_track} pt ON pt.first_enrolment_id = e.id \
                 WHERE 1 = 1 GROUP BY 1, 2, 3, 4, 5",
                month("e.enrolled_on")
            ),
            "e.enrolled_on",
        ),
        (
            3,
            format!(
                "SELECT t.institution_id, t.track, i.district, COALESCE(t.level, 0) AS level, \
                 {} AS month, COUNT(*) AS n FROM certificate t \
                 JOIN institution i ON i.id = t.institution_id \
                 JOIN {person_track} pt ON pt.first_certificate_id = t.id \
                 WHERE 1 = 1 GROUP BY 1, 2, 3, 4, 5",
                month("t.issued_on")
            ),
            "t.issued_on",
        ),
    ]
}

fn read_cell(row: &QueryResult) -> Result<(Cell, i64), AppError> {
    Ok((
        Cell {
            institution_id: row.try_get("", "institution_id")?,
            district: row.try_get("", "district")?,
            track: row.try_get("", "track")?,
            level: row.try_get("", "level")?,
            month: row.try_get("", "month")?,
        },
        row.try_get("", "n")?,
    ))
}

fn both_grains(cell: Cell) -> [(String, Cell); 2] {
    let district = Cell {
        institution_id: Uuid::nil(),
        ..cell.clone()
    };
    [
        (GRAIN_INSTITUTION.to_owned(), cell),
        (super::counting::GRAIN_DISTRICT.to_owned(), district),
    ]
}

/// An integer column that is `int4` in a table but `int8` from an aggregate.
fn read_int(row: &QueryResult, col: &str) -> Result<i64, AppError> {
    match row.try_get::<i64>("", col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(i64::from(row.try_get::<i32>("", col)?)),
    }
}

/// Reads the stored rollups; zero rows (left behind by decrements) are dropped.
pub async fn stored(db: &impl ConnectionTrait) -> Result<Snapshot, AppError> {
    let mut snap = Snapshot::default();
    for row in sql::query(db, "SELECT * FROM stats_rollup", vec![]).await? {
        let measures = [
            read_int(&row, "enrolments")?,
            read_int(&row, "completions")?,
            read_int(&row, "trainees")?,
            read_int(&row, "certified_persons")?,
        ];
        if measures.iter().all(|m| *m == 0) {
            continue;
        }
        let cell = Cell {
            institution_id: row.try_get("", "institution_id")?,
            district: row.try_get("", "district")?,
            track: row.try_get("", "track")?,
            level: row.try_get("", "level")?,
            month: row.try_get("", "month")?,
        };
        snap.stats
            .insert((row.try_get("", "grain")?, cell), measures);
    }
    for row in sql::query(
        db,
        "SELECT programme_id, track, SUM(certified) AS certified, SUM(in_training) AS in_training \
         FROM programme_counter GROUP BY programme_id, track",
        vec![],
    )
    .await?
    {
        let counts = [read_int(&row, "certified")?, read_int(&row, "in_training")?];
        if counts != [0, 0] {
            snap.counters.insert(
                (row.try_get("", "programme_id")?, row.try_get("", "track")?),
                counts,
            );
        }
    }
    for row in sql::query(
        db,
        "SELECT * FROM programme_day WHERE newly_certified <> 0",
        vec![],
    )
    .await?
    {
        snap.days.insert(
            (
                row.try_get("", "programme_id")?,
                row.try_get("", "track")?,
                row.try_get("", "day")?,
            ),
            read_int(&row, "newly_certified")?,
        );
    }
    Ok(snap)
}

/// Differences between the stored counts and a recount, one line each; empty when exact.
///
/// Reads one snapshot (REPEATABLE READ on PostgreSQL, a read transaction on SQLite), so
/// it runs beside live writers without blocking them or seeing half a write. The
/// per-person window query is materialized once in a temporary table that the rollback
/// drops.
pub async fn verify(db: &DatabaseConnection) -> Result<Vec<String>, AppError> {
    let txn = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), None)
                .await?
        }
        _ => db.begin().await?,
    };
    for (table, query) in [
        (RECOUNT_PERSON_TRACK, PERSON_TRACK),
        (RECOUNT_PROGRAMME_PERSON, PROGRAMME_PERSON),
    ] {
        sql::query(
            &txn,
            &format!("CREATE TEMPORARY TABLE {table} AS {query}"),
            vec![],
        )
        .await?;
    }
    for (table, key) in [
        (RECOUNT_PERSON_TRACK, "trainee_id, track"),
        (RECOUNT_PROGRAMME_PERSON, "trainee_id, track, programme_id"),
    ] {
        sql::query(
            &txn,
            &format!("CREATE INDEX {table}_key ON {table} ({key})"),
            vec![],
        )
        .await?;
    }
    // Ids as text: PostgreSQL's uuid type casts, SQLite stores 16-byte blobs.
    let id = |col: &str| match db.get_database_backend() {
        DbBackend::Postgres => format!("CAST({col} AS TEXT)"),
        _ => format!("lower(hex({col}))"),
    };
    let mut out = differing_rows(&txn, &person_track_diff(id)).await?;
    out.extend(differing_rows(&txn, &programme_person_diff(id)).await?);
    let expected = recount(&txn, RECOUNT_PERSON_TRACK, RECOUNT_PROGRAMME_PERSON).await?;
    let actual = stored(&txn).await?;
    txn.rollback().await?;
    diff("stats_rollup", &expected.stats, &actual.stats, &mut out);
    diff(
        "programme_counter",
        &expected.counters,
        &actual.counters,
        &mut out,
    );
    diff("programme_day", &expected.days, &actual.days, &mut out);
    Ok(out)
}

/// Most per-person differences listed: past this, more lines would not help a reader.
const MAX_ROW_DIFFERENCES: usize = 1000;

/// `person_track` rows that differ from the recount (materialized in
/// [`RECOUNT_PERSON_TRACK`]), found by the database: either side missing, or a column
/// unequal.
fn person_track_diff(id: impl Fn(&str) -> String) -> String {
    format!(
        "SELECT 'person_track' AS tbl, \
       {} || ' ' || COALESCE(e.track, s.track) AS row_key, \
       CASE WHEN e.trainee_id IS NULL THEN 'nothing' ELSE CAST(e.enrolled_now AS TEXT) || ' enrolled, first enrolment ' \
         || {} || ' at ' || CAST(e.first_enrolled_at AS TEXT) || ', first certificate ' \
         || COALESCE(NULLIF({}, ''), '-') END AS expected, \
       CASE WHEN s.trainee_id IS NULL THEN 'nothing' ELSE CAST(s.enrolled_now AS TEXT) || ' enrolled, first enrolment ' \
         || {} || ' at ' || CAST(s.first_enrolled_at AS TEXT) || ', first certificate ' \
         || COALESCE(NULLIF({}, ''), '-') END AS stored \
     FROM recount_person_track e FULL OUTER JOIN person_track s \
       ON s.trainee_id = e.trainee_id AND s.track = e.track \
     WHERE e.trainee_id IS NULL OR s.trainee_id IS NULL OR e.enrolled_now <> s.enrolled_now \
       OR e.first_enrolment_id <> s.first_enrolment_id OR e.first_enrolled_at <> s.first_enrolled_at \
       OR e.first_certificate_id IS DISTINCT FROM s.first_certificate_id",
        id("COALESCE(e.trainee_id, s.trainee_id)"),
        id("e.first_enrolment_id"),
        id("e.first_certificate_id"),
        id("s.first_enrolment_id"),
        id("s.first_certificate_id"),
    )
}

/// `programme_person` rows that differ from the recount; a stored row of 0 certificates
/// (left by revocations) counts as no row. The table is joined directly, so both engines
/// can use its key.
fn programme_person_diff(id: impl Fn(&str) -> String) -> String {
    format!(
        "SELECT 'programme_person' AS tbl, \
       {} || ' ' || {} || ' ' || COALESCE(e.track, s.track) AS row_key, \
       CASE WHEN e.trainee_id IS NULL THEN 'nothing' ELSE CAST(e.certificates AS TEXT) || ' certificates, first on ' \
         || CAST(e.first_on AS TEXT) END AS expected, \
       CASE WHEN COALESCE(s.certificates, 0) = 0 THEN 'nothing' ELSE CAST(s.certificates AS TEXT) \
         || ' certificates, first on ' || CAST(s.first_on AS TEXT) END AS stored \
     FROM recount_programme_person e FULL OUTER JOIN programme_person s \
       ON s.programme_id = e.programme_id AND s.trainee_id = e.trainee_id AND s.track = e.track \
     WHERE (e.trainee_id IS NULL AND s.certificates <> 0) OR s.trainee_id IS NULL \
       OR (e.trainee_id IS NOT NULL \
         AND (e.certificates <> s.certificates OR e.first_on IS DISTINCT FROM s.first_on))",
        id("COALESCE(e.programme_id, s.programme_id)"),
        id("COALESCE(e.trainee_id, s.trainee_id)"),
    )
}

/// The lines of a `*_DIFF` query, at most [`MAX_ROW_DIFFERENCES`].
async fn differing_rows(db: &impl ConnectionTrait, query: &str) -> Result<Vec<String>, AppError> {
    let rows = sql::query(
        db,
        &format!("{query} LIMIT {}", MAX_ROW_DIFFERENCES + 1),
        vec![],
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let table: String = row.try_get("", "tbl")?;
        if i == MAX_ROW_DIFFERENCES {
            out.push(format!("{table}: more differences not listed"));
            break;
        }
        let key: String = row.try_get("", "row_key")?;
        let expected: String = row.try_get("", "expected")?;
        let stored: String = row.try_get("", "stored")?;
        out.push(format!(
            "{table} {key}: expected {expected}, stored {stored}"
        ));
    }
    Ok(out)
}

fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    table: &str,
    expected: &BTreeMap<K, V>,
    actual: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    for (key, want) in expected {
        match actual.get(key) {
            Some(have) if have == want => {}
            have => out.push(format!(
                "{table} {key:?}: expected {want:?}, stored {have:?}"
            )),
        }
    }
    for (key, have) in actual {
        if !expected.contains_key(key) {
            out.push(format!(
                "{table} {key:?}: expected nothing, stored {have:?}"
            ));
        }
    }
}

/// Replaces every stored count with a recount, in one transaction (after a bulk load,
/// or to repair). Writers wait on PostgreSQL's table locks meanwhile.
pub async fn rebuild(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await?;
    lock_writers(&txn).await?;
    for table in [
        "person_track",
        "stats_rollup",
        "programme_person",
        "programme_counter",
        "programme_day",
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
    let snap = recount(&txn, "person_track", "programme_person").await?;
    write_rollups(&txn, &snap).await?;
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
        "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
         SELECT ?, trainee_id, track, COUNT(*), MIN(issued_on) FROM certificate \
         WHERE revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? GROUP BY trainee_id, track",
        vec![
            created.id.into(),
            created.starts_on.into(),
            created.ends_on.into(),
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
    Ok(())
}

/// On PostgreSQL, holds off concurrent writers of certificates and enrolments until the
/// transaction ends, so a recount cannot miss a write that commits meanwhile. (SQLite has
/// one writer at a time anyway.)
async fn lock_writers(db: &impl ConnectionTrait) -> Result<(), AppError> {
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

async fn write_rollups(db: &impl ConnectionTrait, snap: &Snapshot) -> Result<(), AppError> {
    insert_rows(
        db,
        "INSERT INTO stats_rollup (grain, institution_id, district, track, level, month, \
         enrolments, completions, trainees, certified_persons) VALUES ",
        snap.stats.iter().map(|((grain, cell), m)| {
            vec![
                grain.clone().into(),
                cell.institution_id.into(),
                cell.district.clone().into(),
                cell.track.clone().into(),
                cell.level.into(),
                cell.month.clone().into(),
                m[0].into(),
                m[1].into(),
                m[2].into(),
                m[3].into(),
            ]
        }),
    )
    .await?;
    insert_rows(
        db,
        "INSERT INTO programme_counter (programme_id, track, shard, certified, in_training) VALUES ",
        snap.counters
            .iter()
            .map(|((programme, track), [certified, in_training])| {
                vec![
                    (*programme).into(),
                    track.clone().into(),
                    0.into(),
                    (*certified).into(),
                    (*in_training).into(),
                ]
            }),
    )
    .await?;
    insert_rows(
        db,
        "INSERT INTO programme_day (programme_id, track, day, newly_certified) VALUES ",
        snap.days.iter().map(|((programme, track, day), n)| {
            vec![
                (*programme).into(),
                track.clone().into(),
                (*day).into(),
                (*n).into(),
            ]
        }),
    )
    .await
}

/// Runs `head` (`INSERT INTO t (…) VALUES `) with `rows` in multi-row statements, well
/// under both engines' bind-parameter limits.
async fn insert_rows(
    db: &impl ConnectionTrait,
    head: &str,
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<(), AppError> {
    const ROWS: usize = 200;
    let rows: Vec<Vec<Value>> = rows.collect();
    for chunk in rows.chunks(ROWS) {
        let mut text = String::from(head);
        let mut values = Vec::with_capacity(chunk.len() * chunk[0].len());
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push('(');
            text.push_str(&vec!["?"; row.len()].join(", "));
            text.push(')');
            values.extend(row.iter().cloned());
        }
        sql::query(db, &text, values).await?;
    }
    Ok(())
}

/// Breakdown cells at institution grain for events between `from` and `to` (inclusive),
/// with the same attribution as the maintained rollup: the exact answer for date ranges
/// that do not cover whole months.
pub async fn cells(
    db: &impl ConnectionTrait,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<BTreeMap<Cell, Measures>, AppError> {
    let mut out: BTreeMap<Cell, Measures> = BTreeMap::new();
    for (measure, text, date) in measure_queries(&format!("({PERSON_TRACK})")) {
        let mut text = text;
        let mut values = Vec::new();
        if let Some(from) = from {
            text = text.replace("WHERE 1 = 1", &format!("WHERE 1 = 1 AND {date} >= ?"));
            values.push(from.into());
        }
        if let Some(to) = to {
            text = text.replace("WHERE 1 = 1", &format!("WHERE 1 = 1 AND {date} <= ?"));
            values.insert(0, to.into());
        }
        for row in sql::query(db, &text, values).await? {
            let (cell, n) = read_cell(&row)?;
            out.entry(cell).or_default()[measure] += n;
        }
    }
    Ok(out)
}
