//! People's certificates and enrolments as [`Person`]s: the rows `super::changes` and
//! the recount turn into day changes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use crate::domain::{EnrolmentStatus, Track, programme_date};
use crate::error::AppError;
use crate::service::counting::day_changes::{CertificateDays, EnrolmentDays, Person};
use crate::service::counting::sql;

/// The rows of each of `people`, in one statement per [`sql::ROWS`] people: their
/// certificates (`row_kind` `C`) and their enrolments with their courses' track and
/// institution (`E`), the columns of the two kinds named alike where they mean alike.
pub async fn people(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> Result<BTreeMap<Uuid, Person>, AppError> {
    let mut out: BTreeMap<Uuid, Person> = BTreeMap::new();
    for chunk in people.chunks(sql::ROWS / 2) {
        let ids: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
        let marks = sql::marks(chunk.len());
        let rows = sql::query(
            db,
            &format!(
                "SELECT 'C' AS row_kind, id, trainee_id, track, institution_id, \
                 issued_on AS on_day, revoked_at AS ended_at, kind AS state, \
                 NULL AS assessed_on, NULL AS completed_on, NULL AS updated_at \
                 FROM certificate WHERE trainee_id IN ({marks}) \
                 UNION ALL \
                 SELECT 'E', e.id, e.trainee_id, c.track, c.institution_id, e.enrolled_on, \
                 e.withdrawn_at, e.status, e.assessed_on, e.completed_on, e.updated_at \
                 FROM enrolment e JOIN course c ON c.id = e.course_id \
                 WHERE e.trainee_id IN ({marks})"
            ),
            ids.iter().chain(&ids).cloned().collect(),
        )
        .await?;
        for row in rows {
            if row.try_get::<String>("", "row_kind")? == "C" {
                let (person, cert) = certificate(&row)?;
                out.entry(person).or_default().certificates.push(cert);
            } else {
                let (person, enrolment) = enrolment(&row)?;
                out.entry(person).or_default().enrolments.push(enrolment);
            }
        }
    }
    Ok(out)
}

/// The columns both kinds of row share: the person, the row's id, its track and
/// institution.
fn common(row: &QueryResult) -> Result<(Uuid, Uuid, Track, Uuid), AppError> {
    Ok((
        row.try_get("", "trainee_id")?,
        row.try_get("", "id")?,
        crate::service::counting::cell::track(&row.try_get::<String>("", "track")?)?,
        row.try_get("", "institution_id")?,
    ))
}

/// A certificate row (its issue day `on_day`, revocation `ended_at`, kind `state`).
fn certificate(row: &QueryResult) -> Result<(Uuid, CertificateDays), AppError> {
    let (person, id, track, institution) = common(row)?;
    let revoked_at: Option<DateTime<Utc>> = row.try_get("", "ended_at")?;
    let issued_on = row.try_get("", "on_day")?;
    let revoked_on = revoked_at.map(programme_date);
    let kind: String = row.try_get("", "state")?;
    let days = CertificateDays {
        id,
        kind: kind
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored credential kind")))?,
        track,
        institution,
        issued_on,
        revoked_on,
    };
    Ok((person, days))
}

/// An enrolment row with its course's track and institution (its enrolment day `on_day`,
/// withdrawal `ended_at`, status `state`). It ends on its assessment
/// day when assessed (the completion day for rows recorded before assessment days were
/// kept), on its withdrawal's day when withdrawn.
fn enrolment(row: &QueryResult) -> Result<(Uuid, EnrolmentDays), AppError> {
    let (person, id, track, institution) = common(row)?;
    let status: String = row.try_get("", "state")?;
    let status: EnrolmentStatus = status
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored enrolment status")))?;
    let ended_on = match status {
        EnrolmentStatus::Enrolled => None,
        EnrolmentStatus::Withdrawn => {
            let at: Option<DateTime<Utc>> = row.try_get("", "ended_at")?;
            Some(programme_date(at.unwrap_or(row.try_get("", "updated_at")?)))
        }
        EnrolmentStatus::Completed | EnrolmentStatus::Failed => {
            let assessed: Option<NaiveDate> = row.try_get("", "assessed_on")?;
            let completed: Option<NaiveDate> = row.try_get("", "completed_on")?;
            match assessed.or(completed) {
                Some(day) => Some(day),
                None => Some(programme_date(row.try_get("", "updated_at")?)),
            }
        }
    };
    let enrolled_on = row.try_get("", "on_day")?;
    let days = EnrolmentDays {
        id,
        track,
        institution,
        enrolled_on,
        ended_on,
    };
    Ok((person, days))
}
