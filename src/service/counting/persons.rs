//! `certifiedPersons` and `certifiedOnBothTracks`: per programme, distinct persons
//! certified within the period on any track, and those certified on both. Maintained
//! from the per-track `programme_person` changes: `programme_certified` holds each
//! person's number of certified tracks (0, 1 or 2), changed by one atomic upsert, so two
//! certifications of one person on the two tracks (which lock different `person_track`
//! rows) still count the person once; the totals sit in sharded
//! `programme_person_counter` rows.

use std::collections::BTreeMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryTrait,
};
use uuid::Uuid;

use super::cell::read_int;
use super::shard::shard;
use super::sql;
use crate::entity::{programme_certified, programme_person_counter};
use crate::error::AppError;

/// The changes of people's certified tracks collected during one write, applied at its
/// end in (programme, person) order (so concurrent writers take the rows in one order).
#[derive(Debug, Default)]
pub struct PersonDeltas {
    /// (programme, person) → +1 per track the person became certified on, -1 per track
    /// they stopped being certified on.
    tracks: BTreeMap<(Uuid, Uuid), i32>,
}

impl PersonDeltas {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `trainee` became certified (`delta` 1) or stopped being certified (`delta` -1) on
    /// one track of `programme`.
    pub fn track(&mut self, programme: Uuid, trainee: Uuid, delta: i32) {
        *self.tracks.entry((programme, trainee)).or_default() += delta;
    }

    /// Writes the people's rows in multi-row atomic upserts returning each person's new
    /// number of tracks, then each programme's totals on a random shard.
    pub async fn apply(self, db: &impl ConnectionTrait) -> Result<(), AppError> {
        let rows: Vec<Vec<sea_orm::Value>> = self
            .tracks
            .iter()
            .filter(|(_, delta)| **delta != 0)
            .map(|((programme, trainee), delta)| {
                vec![(*programme).into(), (*trainee).into(), (*delta).into()]
            })
            .collect();
        let mut totals: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
        for chunk in rows.chunks(sql::ROWS) {
            let (list, values) = sql::values_list(chunk);
            let answered = sql::query(
                db,
                &format!(
                    "INSERT INTO programme_certified (programme_id, trainee_id, tracks) \
                     VALUES {list} ON CONFLICT (programme_id, trainee_id) DO UPDATE \
                     SET tracks = programme_certified.tracks + excluded.tracks \
                     RETURNING programme_id, trainee_id, tracks"
                ),
                values,
            )
            .await?;
            for row in answered {
                let row = programme_certified::Model::from_query_result(&row, "")?;
                let key = (row.programme_id, row.trainee_id);
                let after = row.tracks;
                let before = after - self.tracks.get(&key).copied().unwrap_or(0);
                let total = totals.entry(row.programme_id).or_default();
                total.0 += i64::from(after > 0) - i64::from(before > 0);
                total.1 += i64::from(after >= 2) - i64::from(before >= 2);
            }
        }
        for (programme, (persons, both)) in totals {
            add_totals(db, programme, persons, both).await?;
        }
        Ok(())
    }
}

async fn add_totals(
    db: &impl ConnectionTrait,
    programme: Uuid,
    persons: i64,
    both: i64,
) -> Result<(), AppError> {
    if persons == 0 && both == 0 {
        return Ok(());
    }
    let shard = shard();
    sql::query(
        db,
        "INSERT INTO programme_person_counter (programme_id, shard, persons, both_tracks) \
         VALUES (?, ?, ?, ?) ON CONFLICT (programme_id, shard) DO UPDATE SET \
         persons = programme_person_counter.persons + excluded.persons, \
         both_tracks = programme_person_counter.both_tracks + excluded.both_tracks",
        vec![
            programme.into(),
            shard.into(),
            int(persons).into(),
            int(both).into(),
        ],
    )
    .await
    .map(drop)
}

fn int(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Certified persons and those on both tracks, for the city (`scope` None, from the
/// maintained counters) or for one institution's share (persons holding an unrevoked
/// certificate that institution issued in the period, counted from its certificates).
pub async fn certified_persons(
    db: &impl ConnectionTrait,
    programme: &crate::entity::programme::Model,
    scope: Option<Uuid>,
) -> Result<(u64, u64), AppError> {
    let (persons, both) = match scope {
        None => shard_totals(db, Some(programme.id))
            .await?
            .remove(&programme.id)
            .unwrap_or_default(),
        Some(institution) => {
            let rows = sql::query(
                db,
                &format!(
                    "SELECT COUNT(*) AS persons, \
                     COALESCE(SUM(CASE WHEN tracks = 2 THEN 1 ELSE 0 END), 0) AS both_tracks \
                     FROM (SELECT trainee_id, COUNT(DISTINCT track) AS tracks FROM certificate \
                     WHERE revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? \
                     AND institution_id = ? AND {} GROUP BY trainee_id) per_person",
                    sql::COUNTED_KIND
                ),
                vec![
                    programme.starts_on.into(),
                    programme.ends_on.into(),
                    institution.into(),
                    programme.counted_kinds.clone().into(),
                ],
            )
            .await?;
            match rows.first() {
                Some(row) => (read_int(row, "persons")?, read_int(row, "both_tracks")?),
                None => (0, 0),
            }
        }
    };
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok((count(persons), count(both)))
}

/// `(persons, both_tracks)` per programme, its shards summed: of `programme`, or of every
/// programme.
async fn shard_totals(
    db: &impl ConnectionTrait,
    programme: Option<Uuid>,
) -> Result<BTreeMap<Uuid, (i64, i64)>, AppError> {
    let shards = programme_person_counter::Entity::find()
        .apply_if(programme, |query, id| {
            query.filter(programme_person_counter::Column::ProgrammeId.eq(id))
        })
        .all(db)
        .await?;
    let mut out: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    for shard in shards {
        let total = out.entry(shard.programme_id).or_default();
        total.0 += i64::from(shard.persons);
        total.1 += i64::from(shard.both_tracks);
    }
    Ok(out)
}

/// Fills `programme_certified` and the counters of `programme` (or of every programme)
/// from `programme_person`: a new programme's backfill and `rebuild`.
pub async fn backfill(db: &impl ConnectionTrait, programme: Option<Uuid>) -> Result<(), AppError> {
    let (filter, values) = match programme {
        Some(id) => ("AND programme_id = ?", vec![id.into()]),
        None => ("", vec![]),
    };
    sql::query(
        db,
        &format!(
            "INSERT INTO programme_certified (programme_id, trainee_id, tracks) \
             SELECT programme_id, trainee_id, COUNT(*) FROM programme_person \
             WHERE certificates > 0 {filter} GROUP BY programme_id, trainee_id"
        ),
        values.clone(),
    )
    .await?;
    sql::query(
        db,
        &format!(
            "INSERT INTO programme_person_counter (programme_id, shard, persons, both_tracks) \
             SELECT programme_id, 0, COUNT(*), SUM(CASE WHEN tracks = 2 THEN 1 ELSE 0 END) \
             FROM programme_certified WHERE tracks > 0 {filter} GROUP BY programme_id"
        ),
        values,
    )
    .await?;
    Ok(())
}

/// `verify-counts` for these figures, against `recounted`, the recount of
/// `programme_person` materialized by the caller: per-person rows that differ, and
/// per-programme totals that differ.
pub async fn verify(db: &impl ConnectionTrait, recounted: &str) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    let expected = format!(
        "SELECT programme_id, trainee_id, COUNT(*) AS tracks FROM {recounted} \
         WHERE certificates > 0 GROUP BY programme_id, trainee_id"
    );
    let differing = sql::count(
        db,
        &format!(
            "SELECT COUNT(*) FROM ({expected}) e FULL OUTER JOIN \
             (SELECT * FROM programme_certified WHERE tracks <> 0) s \
             ON s.programme_id = e.programme_id AND s.trainee_id = e.trainee_id \
             WHERE e.tracks IS DISTINCT FROM s.tracks"
        ),
        vec![],
    )
    .await?;
    if differing > 0 {
        out.push(format!(
            "programme_certified: {differing} rows differ from the recount"
        ));
    }
    let mut totals: BTreeMap<Uuid, [(i64, i64); 2]> = BTreeMap::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT programme_id, COUNT(*) AS persons, \
             SUM(CASE WHEN tracks = 2 THEN 1 ELSE 0 END) AS both_tracks \
             FROM ({expected}) e GROUP BY programme_id"
        ),
        vec![],
    )
    .await?
    {
        let entry = totals.entry(row.try_get("", "programme_id")?).or_default();
        entry[0] = (read_int(&row, "persons")?, read_int(&row, "both_tracks")?);
    }
    for (programme, stored) in shard_totals(db, None).await? {
        totals.entry(programme).or_default()[1] = stored;
    }
    for (programme, [want, have]) in totals {
        if want != have {
            out.push(format!(
                "programme_person_counter {programme}: expected (persons, both) {want:?}, stored {have:?}"
            ));
        }
    }
    Ok(out)
}
