//! Results of enrolments (`completeEnrolment`, `recordResults`, `importResults`): the one
//! write path that finishes an enrolment as passed (COMPLETED, with its certificate) or
//! failed (FAILED), dated by the assessment day, in multi-row statements so a course's
//! 10,000 results take seconds.

mod bulk;

pub use bulk::{NewResult, ResultRow, ResultsOutcome, RowOutcome, record_results};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::certificate::{self, ToIssue};
use super::counting::{self, Finish, Tally, Undo, sql};
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
    let mut outcomes = Vec::with_capacity(items.len());
    let mut changes = Vec::new();
    for (index, (before, assessment)) in items.into_iter().enumerate() {
        outcomes.push(
            match classify(&before, &assessment, at, course.starts_on)? {
                Verdict::Record(day) => {
                    changes.push(Change {
                        index,
                        before,
                        assessment,
                        day,
                    });
                    None
                }
                Verdict::Repeat => Some(Ok(Recorded {
                    changed: false,
                    enrolment: before,
                    certificate: None,
                })),
                Verdict::Refuse(refusal) => Some(Err(refusal)),
            },
        );
    }
    let written = write(db, actor, action, course, district, &changes, at).await?;
    for (change, recorded) in changes.iter().zip(written) {
        outcomes[change.index] = Some(Ok(recorded));
    }
    let repeats: Vec<Uuid> = outcomes
        .iter()
        .filter_map(|o| match o {
            Some(Ok(r))
                if !r.changed && r.enrolment.status == EnrolmentStatus::Completed.as_str() =>
            {
                Some(r.enrolment.id)
            }
            _ => None,
        })
        .collect();
    let mut held: HashMap<Uuid, cert_entity::Model> = certificate::of_enrolments(db, &repeats)
        .await?
        .into_iter()
        .map(|c| (c.enrolment_id, c))
        .collect();
    outcomes
        .into_iter()
        .map(|o| match o {
            Some(Ok(mut r)) if !r.changed => {
                r.certificate = held.remove(&r.enrolment.id);
                Ok(Ok(r))
            }
            Some(other) => Ok(other),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "result without outcome"
            ))),
        })
        .collect()
}

/// A result to record on an ENROLLED enrolment.
struct Change {
    /// Its item's position.
    index: usize,
    before: enrolment::Model,
    assessment: Assessment,
    day: AssessedOn,
}

/// What to do with one item.
enum Verdict {
    Record(AssessedOn),
    Repeat,
    Refuse(Refusal),
}

fn classify(
    e: &enrolment::Model,
    a: &Assessment,
    at: DateTime<Utc>,
    starts_on: Option<NaiveDate>,
) -> Result<Verdict, AppError> {
    let status: EnrolmentStatus = e
        .status
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored enrolment status")))?;
    Ok(match status {
        EnrolmentStatus::Withdrawn => Verdict::Refuse(Refusal::Withdrawn),
        EnrolmentStatus::Enrolled => match check(a, at, starts_on) {
            Ok(day) => Verdict::Record(day),
            Err(refusal) => Verdict::Refuse(refusal),
        },
        recorded => match compare(e, recorded, a) {
            Ok(()) => Verdict::Repeat,
            Err(refusal) => Verdict::Refuse(refusal),
        },
    })
}

/// Writes `changes`: the enrolments, their counts, the certificates of the passes and
/// theirs, the audit records. Returns what each change recorded, in order.
async fn write(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: &str,
    course: &course::Model,
    district: &str,
    changes: &[Change],
    at: DateTime<Utc>,
) -> Result<Vec<Recorded>, AppError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let updated = finish(db, changes, at).await?;
    let finishes: Vec<Finish> = changes
        .iter()
        .map(|c| Finish {
            trainee_id: c.before.trainee_id,
            passed_on: c.assessment.passed.then_some(c.day.get()),
        })
        .collect();
    let mut tally = Tally::new();
    counting::finished(db, &mut tally, course, district, &finishes).await?;
    let to_issue: Vec<ToIssue<'_>> = changes
        .iter()
        .filter(|c| c.assessment.passed)
        .map(|c| ToIssue {
            enrolment: &c.before,
            issued_on: c.day.get(),
            expires_at: c.assessment.expires_at,
        })
        .collect();
    let issued = certificate::issue(db, course, &to_issue, at).await?;
    let ids = changes.iter().map(|c| c.before.id);
    audit::wrote_with(&mut tally, actor, action, "enrolment", ids);
    if !issued.is_empty() {
        counting::certified(db, &mut tally, &issued, district).await?;
        let ids = issued.iter().map(|c| c.id);
        audit::wrote_with(&mut tally, actor, action, "certificate", ids);
    }
    let undo = Undo {
        finished: changes.iter().map(|c| c.before.id).collect(),
        issued: issued.iter().map(|c| c.id).collect(),
        ..Undo::default()
    };
    tally.touched(changes.iter().map(|c| c.before.trainee_id), undo);
    tally.send(db).await?;
    let mut issued: HashMap<Uuid, cert_entity::Model> =
        issued.into_iter().map(|c| (c.enrolment_id, c)).collect();
    Ok(updated
        .into_iter()
        .map(|enrolment| Recorded {
            changed: true,
            certificate: issued.remove(&enrolment.id),
            enrolment,
        })
        .collect())
}

/// The assessment day of a result to record, or why it cannot be.
fn check(
    a: &Assessment,
    at: DateTime<Utc>,
    starts_on: Option<NaiveDate>,
) -> Result<AssessedOn, Refusal> {
    if a.expires_at.is_some_and(|e| e <= at) {
        return Err(Refusal::Invalid(AppError::validation(
            "expiresAt",
            ValidationError::InvalidFormat("must be in the future"),
        )));
    }
    AssessedOn::parse(a.assessed_on, programme_date(at), starts_on)
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
    changes: &[Change],
    at: DateTime<Utc>,
) -> Result<Vec<enrolment::Model>, AppError> {
    let rows: Vec<Vec<Value>> = changes
        .iter()
        .map(|c| {
            vec![
                c.before.id.into(),
                status_of(&c.assessment).as_str().into(),
                c.assessment.score.map(|s| s.get()).into(),
                c.day.get().into(),
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
        .map(|c| enrolment::Model {
            status: status_of(&c.assessment).as_str().to_owned(),
            score: c.assessment.score.map(|s| s.get()),
            assessed_on: Some(c.day.get()),
            completed_at: Some(at),
            completed_on: Some(programme_date(at)),
            updated_at: at,
            ..c.before.clone()
        })
        .collect())
}
