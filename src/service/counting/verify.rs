//! `verify-counts`: every maintained count compared with a recount from the base tables,
//! in one read snapshot, beside live writers.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IsolationLevel,
    QueryFilter, TransactionTrait,
};

use super::cell::{Cell, Grain, Measures, track};
use super::recount::{
    PERSON_TRACK, PROGRAMME_PERSON, RECOUNT_PERSON_TRACK, RECOUNT_PROGRAMME_PERSON, Snapshot,
    recount,
};
use super::sql;
use crate::entity::{programme_counter, programme_day, stats_rollup};
use crate::error::AppError;

/// Reads the stored rollups; zero rows (left behind by decrements) are dropped, and a
/// programme's counter shards are summed.
pub async fn stored(db: &impl ConnectionTrait) -> Result<Snapshot, AppError> {
    let mut snap = Snapshot::default();
    for row in stats_rollup::Entity::find().all(db).await? {
        let measures = Measures {
            enrolments: row.enrolments.into(),
            completions: row.completions.into(),
            trainees: row.trainees.into(),
            certified_persons: row.certified_persons.into(),
        };
        if measures.is_zero() {
            continue;
        }
        let cell = Cell {
            institution_id: row.institution_id,
            district: row.district,
            track: track(&row.track)?,
            level: row.level,
            month: row.month,
        };
        snap.stats
            .insert((Grain::parse(&row.grain)?, cell), measures);
    }
    for shard in programme_counter::Entity::find().all(db).await? {
        let totals = snap
            .totals
            .entry((shard.programme_id, track(&shard.track)?))
            .or_default();
        totals.certified += i64::from(shard.certified);
        totals.in_training += i64::from(shard.in_training);
    }
    snap.totals.retain(|_, totals| !totals.is_zero());
    for day in programme_day::Entity::find()
        .filter(programme_day::Column::NewlyCertified.ne(0))
        .all(db)
        .await?
    {
        snap.days.insert(
            (day.programme_id, track(&day.track)?, day.day),
            day.newly_certified.into(),
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
    out.extend(super::persons::verify(&txn, RECOUNT_PROGRAMME_PERSON).await?);
    out.extend(super::goals::verify(&txn).await?);
    out.extend(super::as_of::recount::verify(&txn).await?);
    txn.rollback().await?;
    diff("stats_rollup", &expected.stats, &actual.stats, &mut out);
    diff(
        "programme_counter",
        &expected.totals,
        &actual.totals,
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

pub(super) fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
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
