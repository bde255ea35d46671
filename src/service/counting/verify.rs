//! `verify-counts`: every maintained count compared with a recount from the base tables,
//! in one read snapshot, beside live writers.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IsolationLevel,
    QueryFilter, TransactionTrait,
};

use super::cell::track;
use super::recount::{
    PERSON_TRACK, PROGRAMME_PERSON, RECOUNT_PERSON_TRACK, RECOUNT_PROGRAMME_PERSON,
    RECOUNT_STATS_DAY, Snapshot, fill_days, months_of, recount,
};
use super::sql;
use crate::entity::{programme_counter, programme_day};
use crate::error::AppError;

/// Reads the stored programme totals (shards summed) and day series; zero rows (left
/// behind by decrements) are dropped.
pub async fn stored(db: &impl ConnectionTrait) -> Result<Snapshot, AppError> {
    let mut snap = Snapshot::default();
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
/// per-person window query and the recounted day cells are materialized once in
/// temporary tables that the rollback drops.
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
    sql::query(
        &txn,
        &format!(
            "CREATE TEMPORARY TABLE {RECOUNT_STATS_DAY} AS SELECT * FROM stats_day WHERE 1 = 0"
        ),
        vec![],
    )
    .await?;
    fill_days(&txn, RECOUNT_STATS_DAY, RECOUNT_PERSON_TRACK).await?;
    let mut out = differing_rows(&txn, &person_track_diff(&id)).await?;
    out.extend(differing_rows(&txn, &programme_person_diff(&id)).await?);
    let months = format!("({})", months_of(RECOUNT_STATS_DAY));
    for (table, expected, date) in [
        ("stats_rollup", months.as_str(), "month"),
        ("stats_day", RECOUNT_STATS_DAY, "day"),
    ] {
        out.extend(differing_rows(&txn, &cells_diff(table, expected, date, &id)).await?);
    }
    let expected = recount(&txn, RECOUNT_PERSON_TRACK, RECOUNT_PROGRAMME_PERSON).await?;
    let actual = stored(&txn).await?;
    out.extend(super::persons::verify(&txn, RECOUNT_PROGRAMME_PERSON).await?);
    out.extend(super::goals::verify(&txn).await?);
    out.extend(super::as_of::recount::verify(&txn).await?);
    txn.rollback().await?;
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
fn person_track_diff(id: &impl Fn(&str) -> String) -> String {
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
fn programme_person_diff(id: &impl Fn(&str) -> String) -> String {
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

/// Breakdown cells of `table` (`stats_rollup` by `month`, `stats_day` by `day`), their
/// shards summed, that differ from `expected` (a recount's rows): either side missing,
/// or a measure unequal.
/// A stored row of zeros (left by decrements) counts as no row.
fn cells_diff(table: &str, expected: &str, date: &str, id: &impl Fn(&str) -> String) -> String {
    let measures = |t: &str| {
        format!(
            "CAST({t}.enrolments AS TEXT) || ' enrolments, ' || CAST({t}.completions AS TEXT) \
             || ' completions, ' || CAST({t}.trainees AS TEXT) || ' trainees, ' \
             || CAST({t}.certified_persons AS TEXT) || ' certified persons'"
        )
    };
    let zero = "(s.enrolments = 0 AND s.completions = 0 AND s.trainees = 0 \
         AND s.certified_persons = 0)";
    format!(
        "SELECT '{table}' AS tbl, COALESCE(e.grain, s.grain) || ' ' || {} || ' ' \
           || COALESCE(e.district, s.district) || ' ' || COALESCE(e.track, s.track) || ' ' \
           || CAST(COALESCE(e.level, s.level) AS TEXT) || ' ' \
           || CAST(COALESCE(e.{date}, s.{date}) AS TEXT) AS row_key, \
         CASE WHEN e.grain IS NULL THEN 'nothing' ELSE {} END AS expected, \
         CASE WHEN s.grain IS NULL OR {zero} THEN 'nothing' ELSE {} END AS stored \
         FROM {expected} e FULL OUTER JOIN (SELECT grain, institution_id, district, track, \
           level, {date}, SUM(enrolments) AS enrolments, SUM(completions) AS completions, \
           SUM(trainees) AS trainees, SUM(certified_persons) AS certified_persons \
           FROM {table} GROUP BY grain, institution_id, district, track, level, {date}) s \
           ON s.grain = e.grain \
           AND s.institution_id = e.institution_id AND s.district = e.district \
           AND s.track = e.track AND s.level = e.level AND s.{date} = e.{date} \
         WHERE (e.grain IS NULL AND NOT {zero}) OR (e.grain IS NOT NULL AND (s.grain IS NULL \
           OR e.enrolments <> s.enrolments OR e.completions <> s.completions \
           OR e.trainees <> s.trainees OR e.certified_persons <> s.certified_persons))",
        id("COALESCE(e.institution_id, s.institution_id)"),
        measures("e"),
        measures("s"),
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
