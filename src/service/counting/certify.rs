//! The maintenance of the counts when a certificate is issued or revoked: the person's
//! attributed certificate, the programmes' distinct certified persons, in-training
//! persons and day series.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::cell::{Cell, Deltas, Measure, track};
use super::persons::PersonDeltas;
use super::sql;
use super::tally::Tally;
use super::write::{
    CERTIFICATE_CELL, Period, bump_enrolled, certificate_cell, lock_person_track, read_cell,
};
use crate::domain::{CredentialKind, Track};
use crate::entity::certificate;
use crate::error::AppError;

/// The order in which a person's certificates on a track come: by assessment day, then
/// by when they were issued, then by id. The first one carries the person in `stats`.
type Rank = (NaiveDate, DateTime<Utc>, Uuid);

fn kind(cert: &certificate::Model) -> Result<CredentialKind, AppError> {
    cert.kind
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored credential kind")))
}

fn rank(cert: &certificate::Model) -> Rank {
    (cert.issued_on, cert.issued_at, cert.id)
}

/// Certificates were issued, all by institutions in `district` (one course's, or one).
pub async fn certified(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    certs: &[certificate::Model],
    district: &str,
) -> Result<(), AppError> {
    let mut by_track: BTreeMap<Track, Vec<&certificate::Model>> = BTreeMap::new();
    for cert in certs {
        by_track.entry(track(&cert.track)?).or_default().push(cert);
    }
    let programmes = tally.programmes(db).await?.to_vec();
    let mut persons = PersonDeltas::new();
    for (track, certs) in by_track {
        let (deltas, persons) = (&mut tally.deltas, &mut persons);
        certified_on_track(db, track, &certs, district, &programmes, deltas, persons).await?;
    }
    // The persons' counters now (their totals come from what the upsert returns); the
    // `Deltas` with the tally, in the order of [`Tally`].
    persons.apply(db).await
}

async fn certified_on_track(
    db: &impl ConnectionTrait,
    track: Track,
    certs: &[&certificate::Model],
    district: &str,
    programmes: &[Period],
    deltas: &mut Deltas,
    persons: &mut PersonDeltas,
) -> Result<(), AppError> {
    let mut people: Vec<Uuid> = certs.iter().map(|c| c.trainee_id).collect();
    people.sort_unstable();
    people.dedup();
    let states = bump_enrolled(db, &people, track, 0).await?;
    let mut firsts =
        ranked_cells(db, states.values().filter_map(|s| s.first_certificate_id)).await?;
    let mut first_of: HashMap<Uuid, Option<Uuid>> = states
        .iter()
        .map(|(person, state)| (*person, state.first_certificate_id))
        .collect();
    let mut standing = programme_people(db, track, &people).await?;
    let mut changed_firsts: BTreeMap<Uuid, (Uuid, DateTime<Utc>)> = BTreeMap::new();
    let mut changed_standing: BTreeMap<(Uuid, Uuid), Standing> = BTreeMap::new();
    let mut ordered: Vec<&certificate::Model> = certs.to_vec();
    ordered.sort_by_key(|c| (c.trainee_id, rank(c)));
    for cert in ordered {
        let person = cert.trainee_id;
        let enrolled_now = states.get(&person).map_or(0, |s| s.enrolled_now);
        let current = first_of
            .get(&person)
            .copied()
            .flatten()
            .and_then(|id| firsts.get(&id));
        if current.is_none_or(|(r, _)| rank(cert) < *r) {
            if let Some((_, cell)) = current {
                deltas.stat(cell.clone(), Measure::CertifiedPersons, -1);
            }
            let cell = Cell::of_certificate(cert, district)?;
            deltas.stat(cell.clone(), Measure::CertifiedPersons, 1);
            firsts.insert(cert.id, (rank(cert), cell));
            first_of.insert(person, Some(cert.id));
            changed_firsts.insert(person, (cert.id, cert.issued_at));
        }
        let kind = kind(cert)?;
        for programme in programmes.iter().filter(|p| p.counts(kind, cert.issued_on)) {
            let key = (programme.id, person);
            let before = standing.get(&key).copied().unwrap_or_default();
            let mut after = before;
            after.certificates += 1;
            if before.certificates == 0 {
                deltas.certified(programme.id, track, 1);
                persons.track(programme.id, person, 1);
                if enrolled_now > 0 {
                    deltas.in_training(programme.id, track, -1);
                }
            }
            if before.first_on.is_none_or(|old| cert.issued_on < old) {
                if let Some(old) = before.first_on {
                    deltas.day(programme.id, track, old, -1);
                }
                deltas.day(programme.id, track, cert.issued_on, 1);
                after.first_on = Some(cert.issued_on);
            }
            standing.insert(key, after);
            changed_standing.insert(key, after);
        }
    }
    save(db, track, changed_firsts, changed_standing).await
}

/// Writes what [`certified_on_track`] changed: each person's first certificate on the
/// track, and their standing in each programme.
async fn save(
    db: &impl ConnectionTrait,
    track: Track,
    changed_firsts: BTreeMap<Uuid, (Uuid, DateTime<Utc>)>,
    changed_standing: BTreeMap<(Uuid, Uuid), Standing>,
) -> Result<(), AppError> {
    let firsts: Vec<Vec<Value>> = changed_firsts
        .into_iter()
        .map(|(person, (id, at))| vec![person.into(), id.into(), at.into()])
        .collect();
    for chunk in firsts.chunks(sql::ROWS) {
        let (list, mut values) = sql::values_list(chunk);
        values.push(track.as_str().into());
        sql::query(
            db,
            &format!(
                "UPDATE person_track SET first_certificate_id = v.column2, \
                 first_certified_at = v.column3 FROM (VALUES {list}) AS v \
                 WHERE person_track.trainee_id = v.column1 AND person_track.track = ?"
            ),
            values,
        )
        .await?;
    }
    sql::insert_rows(
        db,
        "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
         VALUES ",
        " ON CONFLICT (programme_id, trainee_id, track) DO UPDATE SET \
         certificates = excluded.certificates, first_on = excluded.first_on",
        changed_standing
            .into_iter()
            .map(|((programme, person), s)| {
                vec![
                    programme.into(),
                    person.into(),
                    track.as_str().into(),
                    s.certificates.into(),
                    s.first_on.into(),
                ]
            }),
    )
    .await
}

/// A person's `programme_person` row: certificates in the period and the first one's day.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    certificates: i32,
    first_on: Option<NaiveDate>,
}

/// The `programme_person` rows of `people` on `track`, by (programme, person).
async fn programme_people(
    db: &impl ConnectionTrait,
    track: Track,
    people: &[Uuid],
) -> Result<HashMap<(Uuid, Uuid), Standing>, AppError> {
    let mut out = HashMap::new();
    for chunk in people.chunks(sql::ROWS) {
        let mut values: Vec<Value> = vec![track.as_str().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        for row in sql::query(
            db,
            &format!(
                "SELECT programme_id, trainee_id, certificates, first_on FROM programme_person \
                 WHERE track = ? AND trainee_id IN ({})",
                sql::marks(chunk.len())
            ),
            values,
        )
        .await?
        {
            out.insert(
                (
                    row.try_get("", "programme_id")?,
                    row.try_get("", "trainee_id")?,
                ),
                Standing {
                    certificates: row.try_get("", "certificates")?,
                    first_on: row.try_get("", "first_on")?,
                },
            );
        }
    }
    Ok(out)
}

/// The rank and breakdown cell of each certificate of `ids`.
async fn ranked_cells(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (Rank, Cell)>, AppError> {
    let ids: Vec<Uuid> = ids.collect();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(sql::ROWS) {
        for row in sql::query(
            db,
            &format!(
                "{CERTIFICATE_CELL} , t.id, t.issued_at FROM certificate t \
                 JOIN institution i ON i.id = t.institution_id WHERE t.id IN ({})",
                sql::marks(chunk.len())
            ),
            chunk.iter().map(|id| Value::from(*id)).collect(),
        )
        .await?
        {
            let cell = read_cell(&row)?;
            let on: NaiveDate = row.try_get("", "on_day")?;
            let id: Uuid = row.try_get("", "id")?;
            out.insert(id, ((on, row.try_get("", "issued_at")?, id), cell));
        }
    }
    Ok(out)
}

/// A certificate was revoked (already marked so in `certificate`).
pub async fn revoked(
    db: &impl ConnectionTrait,
    tally: &mut Tally,
    cert: &certificate::Model,
    district: &str,
) -> Result<(), AppError> {
    let programmes = tally.programmes(db).await?.to_vec();
    let deltas = &mut tally.deltas;
    let mut persons = PersonDeltas::new();
    let track = track(&cert.track)?;
    let state = lock_person_track(db, cert.trainee_id, track).await?;
    if state.first_certificate_id == Some(cert.id) {
        deltas.stat(
            Cell::of_certificate(cert, district)?,
            Measure::CertifiedPersons,
            -1,
        );
        let next = earliest_certificate(db, cert.trainee_id, track).await?;
        if let Some((id, _)) = next {
            deltas.stat(
                certificate_cell(db, id).await?,
                Measure::CertifiedPersons,
                1,
            );
        }
        set_first_certificate(db, cert.trainee_id, track, next).await?;
    }
    let kind = kind(cert)?;
    for programme in programmes {
        if !programme.counts(kind, cert.issued_on) {
            continue;
        }
        let rows = sql::query(
            db,
            "UPDATE programme_person SET certificates = certificates - 1 \
             WHERE programme_id = ? AND trainee_id = ? AND track = ? RETURNING certificates, first_on",
            vec![programme.id.into(), cert.trainee_id.into(), track.as_str().into()],
        )
        .await?;
        let Some(row) = rows.first() else { continue };
        let count: i32 = row.try_get("", "certificates")?;
        let first_on: Option<NaiveDate> = row.try_get("", "first_on")?;
        let next_first = if count == 0 {
            deltas.certified(programme.id, track, -1);
            persons.track(programme.id, cert.trainee_id, -1);
            if state.enrolled_now > 0 {
                deltas.in_training(programme.id, track, 1);
            }
            None
        } else {
            earliest_in_period(db, cert.trainee_id, track, &programme).await?
        };
        if next_first != first_on {
            if let Some(old) = first_on {
                deltas.day(programme.id, track, old, -1);
            }
            if let Some(new) = next_first {
                deltas.day(programme.id, track, new, 1);
            }
            set_first_on(db, programme.id, cert.trainee_id, track, next_first).await?;
        }
    }
    // The persons' counters now, the `Deltas` with the tally (see [`certified`]).
    persons.apply(db).await
}

async fn set_first_certificate(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
    first: Option<(Uuid, DateTime<Utc>)>,
) -> Result<(), AppError> {
    sql::query(
        db,
        "UPDATE person_track SET first_certificate_id = ?, first_certified_at = ? \
         WHERE trainee_id = ? AND track = ?",
        vec![
            first.map(|f| f.0).into(),
            first.map(|f| f.1).into(),
            trainee.into(),
            track.as_str().into(),
        ],
    )
    .await
    .map(drop)
}

async fn set_first_on(
    db: &impl ConnectionTrait,
    programme: Uuid,
    trainee: Uuid,
    track: Track,
    first_on: Option<NaiveDate>,
) -> Result<(), AppError> {
    sql::query(
        db,
        "UPDATE programme_person SET first_on = ? WHERE programme_id = ? AND trainee_id = ? AND track = ?",
        vec![first_on.into(), programme.into(), trainee.into(), track.as_str().into()],
    )
    .await
    .map(drop)
}

async fn earliest_certificate(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
) -> Result<Option<(Uuid, DateTime<Utc>)>, AppError> {
    let rows = sql::query(
        db,
        "SELECT id, issued_at FROM certificate WHERE trainee_id = ? AND track = ? \
         AND revoked_at IS NULL ORDER BY issued_on, issued_at, id LIMIT 1",
        vec![trainee.into(), track.as_str().into()],
    )
    .await?;
    rows.first()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "issued_at")?)))
        .transpose()
}

async fn earliest_in_period(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    track: Track,
    programme: &Period,
) -> Result<Option<NaiveDate>, AppError> {
    let rows = sql::query(
        db,
        &format!(
            "SELECT issued_on FROM certificate WHERE trainee_id = ? AND track = ? \
             AND revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? AND {} \
             ORDER BY issued_on LIMIT 1",
            sql::COUNTED_KIND
        ),
        vec![
            trainee.into(),
            track.as_str().into(),
            programme.starts_on.into(),
            programme.ends_on.into(),
            programme.kinds.stored().into(),
        ],
    )
    .await?;
    rows.first()
        .map(|r| r.try_get::<NaiveDate>("", "issued_on"))
        .transpose()
        .map_err(Into::into)
}
