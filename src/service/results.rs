//! Results of enrolments (`completeEnrolment`, `recordResults`, `importResults`): the one
//! write path that finishes an enrolment as passed (COMPLETED, with its certificate) or
//! failed (FAILED), dated by the assessment day, in multi-row statements so a course's
//! 10,000 results take seconds.

mod bulk;

pub use bulk::{NewResult, ResultRow, ResultsOutcome, RowOutcome, record_results};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::certificate::{self, ToIssue};
use super::counting::{self, Finish, sql};
use super::{audit, now};
use crate::auth::CurrentUser;
use crate::domain::{AssessedOn, EnrolmentStatus, Score, ValidationError, programme_date};
use crate::entity::{certificate as cert_entity, course, enrolment};
use crate::error::AppError;

/// The result of one enrolment as entered.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Passed: COMPLETED with a certificate; otherwise FAILED.
    pub passed: bool,
    /// Final score.
    pub score: Option<Score>,
    /// The exam day as entered; today (China Standard Time) when absent.
    pub assessed_on: Option<NaiveDate>,
    /// Expiry of the certificate, if it has one.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A result recorded now, or found recorded already.
#[derive(Debug)]
pub struct Recorded {
    /// True when this call recorded it; false when the same result was there.
    pub changed: bool,
    /// The enrolment as it stands.
    pub enrolment: enrolment::Model,
    /// Its certificate, when passed.
    pub certificate: Option<cert_entity::Model>,
}

/// Why a result was not recorded.
#[derive(Debug)]
pub enum Refusal {
    /// An input broke a rule (`assessedOn`, `expiresAt`).
    Invalid(AppError),
    /// A different result is recorded already; `field` names what differs (`passed`,
    /// `score`, `assessedOn`).
    Contradicts(&'static str),
    /// The trainee withdrew from the course.
    Withdrawn,
}

/// Records `items` (distinct enrolments of `course`, read after the caller locked the
/// course row with [`super::admission::lock`] in this transaction) and counts them; the
/// audit trail names them under `action`. Returns one outcome per item, in order.
///
/// An enrolment with a result already is not changed: the same result (same `passed`,
/// and the same score and day where the item gives them) is [`Recorded`] with
/// `changed: false`, another is [`Refusal::Contradicts`].
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: &str,
    course: &course::Model,
    district: &str,
    items: Vec<(enrolment::Model, Assessment)>,
) -> Result<Vec<Result<Recorded, Refusal>>, AppError> {
    let at = now();
    let today = programme_date(at);
    let mut outcomes: Vec<Option<Result<Recorded, Refusal>>> = Vec::with_capacity(items.len());
    let mut changes: Vec<(usize, enrolment::Model, Assessment, AssessedOn)> = Vec::new();
    let mut repeated: Vec<(usize, enrolment::Model)> = Vec::new();
    for (index, (e, a)) in items.into_iter().enumerate() {
        outcomes.push(None);
        let verdict = match stored_status(&e)? {
            EnrolmentStatus::Withdrawn => Err(Refusal::Withdrawn),
            EnrolmentStatus::Enrolled => {
                match check(&a, at, today, course.starts_on) {
                    Ok(day) => changes.push((index, e, a, day)),
                    Err(refusal) => outcomes[index] = Some(Err(refusal)),
                }
                continue;
            }
            status => compare(&e, status, &a),
        };
        match verdict {
            Ok(()) => repeated.push((index, e)),
            Err(refusal) => outcomes[index] = Some(Err(refusal)),
        }
    }

    let updated = finish(db, &changes, at).await?;
    let finishes: Vec<Finish> = changes
        .iter()
        .map(|(_, e, a, day)| Finish {
            trainee_id: e.trainee_id,
            passed_on: a.passed.then_some(day.get()),
        })
        .collect();
    if !finishes.is_empty() {
        counting::finished(db, course, district, &finishes).await?;
    }
    let to_issue: Vec<ToIssue<'_>> = changes
        .iter()
        .filter(|(_, _, a, _)| a.passed)
        .map(|(_, e, a, day)| ToIssue {
            enrolment: e,
            issued_on: day.get(),
            expires_at: a.expires_at,
        })
        .collect();
    let issued = certificate::issue(db, course, &to_issue, at).await?;
    if !issued.is_empty() {
        counting::certified(db, &issued, district).await?;
    }
    if !changes.is_empty() {
        audit::wrote(
            db,
            actor,
            action,
            "enrolment",
            changes.iter().map(|c| c.1.id),
        )
        .await?;
    }
    if !issued.is_empty() {
        audit::wrote(
            db,
            actor,
            action,
            "certificate",
            issued.iter().map(|c| c.id),
        )
        .await?;
    }

    let repeated_ids: Vec<Uuid> = repeated.iter().map(|(_, e)| e.id).collect();
    let mut certificates: std::collections::HashMap<Uuid, cert_entity::Model> = issued
        .into_iter()
        .chain(certificate::of_enrolments(db, &repeated_ids).await?)
        .map(|c| (c.enrolment_id, c))
        .collect();
    let mut updated: std::collections::HashMap<Uuid, enrolment::Model> =
        updated.into_iter().map(|e| (e.id, e)).collect();
    for (index, e, _, _) in changes {
        let enrolment = updated
            .remove(&e.id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("finished enrolment missing")))?;
        outcomes[index] = Some(Ok(Recorded {
            changed: true,
            certificate: certificates.remove(&e.id),
            enrolment,
        }));
    }
    for (index, e) in repeated {
        outcomes[index] = Some(Ok(Recorded {
            changed: false,
            certificate: certificates.remove(&e.id),
            enrolment: e,
        }));
    }
    outcomes
        .into_iter()
        .map(|o| o.ok_or_else(|| AppError::Internal(anyhow::anyhow!("result without outcome"))))
        .collect()
}

fn stored_status(e: &enrolment::Model) -> Result<EnrolmentStatus, AppError> {
    e.status
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored enrolment status")))
}

/// The assessment day of a result to record, or why it cannot be.
fn check(
    a: &Assessment,
    at: DateTime<Utc>,
    today: NaiveDate,
    starts_on: Option<NaiveDate>,
) -> Result<AssessedOn, Refusal> {
    if a.expires_at.is_some_and(|e| e <= at) {
        return Err(Refusal::Invalid(AppError::validation(
            "expiresAt",
            ValidationError::InvalidFormat("must be in the future"),
        )));
    }
    AssessedOn::parse(a.assessed_on, today, starts_on)
        .map_err(|err| Refusal::Invalid(AppError::validation("assessedOn", err)))
}

/// Whether `a` repeats the result recorded on `e` (with `status`).
fn compare(e: &enrolment::Model, status: EnrolmentStatus, a: &Assessment) -> Result<(), Refusal> {
    if a.passed != (status == EnrolmentStatus::Completed) {
        return Err(Refusal::Contradicts("passed"));
    }
    if a.score.is_some_and(|s| Some(s.get()) != e.score) {
        return Err(Refusal::Contradicts("score"));
    }
    if a.assessed_on.is_some_and(|day| Some(day) != e.assessed_on) {
        return Err(Refusal::Contradicts("assessedOn"));
    }
    Ok(())
}

fn status_of(a: &Assessment) -> EnrolmentStatus {
    if a.passed {
        EnrolmentStatus::Completed
    } else {
        EnrolmentStatus::Failed
    }
}

/// Moves the ENROLLED enrolments of `changes` to their result; returns them as updated.
async fn finish(
    db: &impl ConnectionTrait,
    changes: &[(usize, enrolment::Model, Assessment, AssessedOn)],
    at: DateTime<Utc>,
) -> Result<Vec<enrolment::Model>, AppError> {
    let rows: Vec<Vec<Value>> = changes
        .iter()
        .map(|(_, e, a, day)| {
            vec![
                e.id.into(),
                status_of(a).as_str().into(),
                a.score.map(|s| s.get()).into(),
                day.get().into(),
            ]
        })
        .collect();
    let mut finished = 0;
    for chunk in rows.chunks(sql::ROWS) {
        let (list, listed) = sql::values_list(chunk);
        let mut values: Vec<Value> = vec![at.into(), programme_date(at).into(), at.into()];
        values.extend(listed);
        finished += sql::query(
            db,
            &format!(
                "UPDATE enrolment SET status = v.column2, score = v.column3, \
                 assessed_on = v.column4, completed_at = ?, completed_on = ?, updated_at = ? \
                 FROM (VALUES {list}) AS v WHERE enrolment.id = v.column1 \
                 AND enrolment.status = 'ENROLLED' RETURNING enrolment.id"
            ),
            values,
        )
        .await?
        .len();
    }
    if finished != changes.len() {
        // The course row lock keeps every writer of these rows out; this cannot happen.
        return Err(AppError::Internal(anyhow::anyhow!(
            "{finished} of {} enrolments finished",
            changes.len()
        )));
    }
    // The rows as written, without reading them back.
    Ok(changes
        .iter()
        .map(|(_, e, a, day)| enrolment::Model {
            status: status_of(a).as_str().to_owned(),
            score: a.score.map(|s| s.get()),
            assessed_on: Some(day.get()),
            completed_at: Some(at),
            completed_on: Some(programme_date(at)),
            updated_at: at,
            ..e.clone()
        })
        .collect())
}
