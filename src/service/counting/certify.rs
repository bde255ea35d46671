//! The maintenance of the counts when a certificate is issued or revoked: the person's
//! attributed certificate, the programmes' distinct certified persons, in-training
//! persons and day series.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::cell::{Cell, Deltas, Measure, track};
use super::persons::PersonDeltas;
use super::sql;
use super::write::{ProgrammeState, certificate_cell, lock_person_track, programme_states};
use crate::domain::Track;
use crate::entity::certificate;
use crate::error::AppError;

/// A certificate was issued (institution in `district`).
pub async fn certified(
    db: &impl ConnectionTrait,
    cert: &certificate::Model,
    district: &str,
) -> Result<(), AppError> {
    let mut deltas = Deltas::default();
    let mut persons = PersonDeltas::new(cert.trainee_id);
    let track = track(&cert.track)?;
    let state = lock_person_track(db, cert.trainee_id, track).await?;
    let earlier = match (state.first_certified_at, state.first_certificate_id) {
        (Some(at), Some(id)) => (cert.issued_at, cert.id) < (at, id),
        _ => true,
    };
    if earlier {
        if let Some(old) = state.first_certificate_id {
            deltas.stat(
                certificate_cell(db, old).await?,
                Measure::CertifiedPersons,
                -1,
            );
        }
        deltas.stat(
            Cell::of_certificate(cert, district)?,
            Measure::CertifiedPersons,
            1,
        );
        set_first_certificate(db, cert.trainee_id, track, Some((cert.id, cert.issued_at))).await?;
    }
    for programme in programme_states(db, cert.trainee_id, track).await? {
        if !programme.covers(cert.issued_on) {
            continue;
        }
        let rows = sql::query(
            db,
            "UPDATE programme_person SET certificates = certificates + 1 \
             WHERE programme_id = ? AND trainee_id = ? AND track = ? RETURNING certificates, first_on",
            vec![programme.id.into(), cert.trainee_id.into(), track.as_str().into()],
        )
        .await?;
        let (count, first_on) = match rows.first() {
            Some(r) => (
                r.try_get::<i32>("", "certificates")?,
                r.try_get::<Option<NaiveDate>>("", "first_on")?,
            ),
            None => {
                sql::query(
                    db,
                    "INSERT INTO programme_person (programme_id, trainee_id, track, certificates, first_on) \
                     VALUES (?, ?, ?, 1, NULL)",
                    vec![programme.id.into(), cert.trainee_id.into(), track.as_str().into()],
                )
                .await?;
                (1, None)
            }
        };
        if count == 1 {
            persons.track(programme.id, 1);
            deltas.certified(programme.id, track, 1);
            if state.enrolled_now > 0 {
                deltas.in_training(programme.id, track, -1);
            }
        }
        if first_on.is_some_and(|old| old <= cert.issued_on) {
            continue;
        }
        if let Some(old) = first_on {
            deltas.day(programme.id, track, old, -1);
        }
        deltas.day(programme.id, track, cert.issued_on, 1);
        set_first_on(
            db,
            programme.id,
            cert.trainee_id,
            track,
            Some(cert.issued_on),
        )
        .await?;
    }
    persons.apply(db).await?;
    deltas.apply(db).await
}

/// A certificate was revoked (already marked so in `certificate`).
pub async fn revoked(
    db: &impl ConnectionTrait,
    cert: &certificate::Model,
    district: &str,
) -> Result<(), AppError> {
    let mut deltas = Deltas::default();
    let mut persons = PersonDeltas::new(cert.trainee_id);
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
    for programme in programme_states(db, cert.trainee_id, track).await? {
        if !programme.covers(cert.issued_on) {
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
            persons.track(programme.id, -1);
            deltas.certified(programme.id, track, -1);
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
    persons.apply(db).await?;
    deltas.apply(db).await
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
         AND revoked_at IS NULL ORDER BY issued_at, id LIMIT 1",
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
    programme: &ProgrammeState,
) -> Result<Option<NaiveDate>, AppError> {
    let rows = sql::query(
        db,
        "SELECT issued_on FROM certificate WHERE trainee_id = ? AND track = ? \
         AND revoked_at IS NULL AND issued_on >= ? AND issued_on <= ? ORDER BY issued_on LIMIT 1",
        vec![
            trainee.into(),
            track.as_str().into(),
            programme.starts_on.into(),
            programme.ends_on.into(),
        ],
    )
    .await?;
    rows.first()
        .map(|r| r.try_get::<NaiveDate>("", "issued_on"))
        .transpose()
        .map_err(Into::into)
}
