//! `recordResults` and `importResults`: a course's results at once, matched to its
//! enrolments by identity document. Modes and refused rows as in `enrolMany`
//! ([`super::super::batch`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::{Assessment, Refusal, record};

/// Documents per lookup statement.
const CHUNK: usize = 2000;
use crate::auth::CurrentUser;
use crate::domain::{IdDocument, IdType, Score};
use crate::entity::{certificate, enrolment, trainee};
use crate::error::{AppError, OnField};
use crate::service::admission;
use crate::service::batch::{self, BatchMode, RowFailure};
use crate::service::enrolment::own_course;
use crate::service::pii::PiiKey;

/// One person's result, as a row gives it.
#[derive(Debug, Clone)]
pub struct NewResult {
    /// The person's document, which finds their enrolment.
    pub document: IdDocument,
    /// Passed or failed.
    pub passed: bool,
    /// Final score.
    pub score: Option<Score>,
    /// Exam day; today when absent.
    pub assessed_on: Option<NaiveDate>,
}

impl NewResult {
    /// Validates the fields of one row, naming them as `ResultInput` does.
    pub fn parse(
        id_type: IdType,
        id_number: &str,
        passed: bool,
        score: Option<i32>,
        assessed_on: Option<NaiveDate>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            document: IdDocument::parse(id_type, id_number).on("idNumber")?,
            passed,
            score: score.map(Score::parse).transpose().on("score")?,
            assessed_on,
        })
    }
}

/// One input row: its position (0-based index, or a CSV file's line) and its result.
#[derive(Debug)]
pub struct ResultRow {
    /// Where the client sees the row.
    pub position: usize,
    /// The result, or why the row could not be read.
    pub result: Result<NewResult, AppError>,
}

/// The outcome of one row.
#[derive(Debug, Default)]
pub struct RowOutcome {
    /// The row's position.
    pub position: usize,
    /// True when this call recorded the result (in a dry run: would record).
    pub changed: bool,
    /// The result recorded, for a row that is not refused.
    pub passed: Option<bool>,
    /// The enrolment (not in a dry run or a rolled-back batch).
    pub enrolment: Option<enrolment::Model>,
    /// Its certificate (likewise).
    pub certificate: Option<certificate::Model>,
    /// Set on refused rows only.
    pub error: Option<RowFailure>,
}

/// Outcomes in input order, and whether anything was written.
#[derive(Debug)]
pub struct ResultsOutcome {
    /// One per input row.
    pub rows: Vec<RowOutcome>,
    /// True when the batch was committed.
    pub applied: bool,
}

/// Records the results of `rows` for enrolments of a course of the caller's institution;
/// the audit trail names the changes under `action` (the GraphQL field).
#[instrument(skip_all, fields(course.id = %course_id, rows = rows.len(), mode = ?mode))]
pub async fn record_results(
    db: &DatabaseConnection,
    pii: &PiiKey,
    actor: &CurrentUser,
    course_id: Uuid,
    rows: Vec<ResultRow>,
    mode: BatchMode,
    action: &'static str,
) -> Result<ResultsOutcome, AppError> {
    let (course, district) = own_course(db, actor, course_id).await?;
    let mut outcomes: Vec<RowOutcome> = rows
        .iter()
        .map(|row| RowOutcome {
            position: row.position,
            ..RowOutcome::default()
        })
        .collect();
    let mut pending: Vec<(usize, String, NewResult)> = Vec::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for (index, row) in rows.into_iter().enumerate() {
        match row.result {
            Err(err) => outcomes[index].error = Some(RowFailure::from(&err)),
            Ok(result) => {
                let digest = pii.digest(&result.document);
                if let Some(first) = first_row.get(&digest) {
                    outcomes[index].error = Some(batch::same_person_as(*first));
                    continue;
                }
                first_row.insert(digest.clone(), row.position);
                pending.push((index, digest, result));
            }
        }
    }

    let txn = db.begin().await?;
    let course = admission::lock(&txn, course.id).await?;
    let people = people_by_digest(&txn, &pending).await?;
    let ids: Vec<Uuid> = people.values().copied().collect();
    let mut enrolments = admission::enrolments_of(&txn, course.id, &ids).await?;
    let mut items = Vec::new();
    let mut indices = Vec::new();
    for (index, digest, result) in pending {
        let found = people.get(&digest).and_then(|t| enrolments.remove(t));
        let Some(e) = found else {
            outcomes[index].error = Some(RowFailure {
                code: "NOT_FOUND",
                field: Some("idNumber"),
                message: "no enrolment of this person in the course".to_owned(),
            });
            continue;
        };
        indices.push(index);
        items.push((
            e,
            Assessment {
                passed: result.passed,
                score: result.score,
                assessed_on: result.assessed_on,
                expires_at: None,
            },
        ));
    }
    let passed: Vec<bool> = items.iter().map(|(_, a)| a.passed).collect();
    let recorded = record(&txn, actor, action, &course, &district, items).await?;
    for ((index, passed), outcome) in indices.into_iter().zip(passed).zip(recorded) {
        let row = &mut outcomes[index];
        match outcome {
            Ok(r) => {
                row.changed = r.changed;
                row.passed = Some(passed);
                row.enrolment = Some(r.enrolment);
                row.certificate = r.certificate;
            }
            Err(refusal) => row.error = Some(failure(refusal)),
        }
    }

    let refused = outcomes.iter().any(|r| r.error.is_some());
    let applied = batch::settle(txn, mode, refused).await?;
    if !applied {
        for row in &mut outcomes {
            // What the rolled-back transaction wrote does not exist.
            row.enrolment = None;
            row.certificate = None;
            if mode == BatchMode::AllOrNothing {
                row.changed = false;
            }
        }
    }
    Ok(ResultsOutcome {
        rows: outcomes,
        applied,
    })
}

/// The ids of the people of `pending`'s documents, by document digest.
async fn people_by_digest(
    db: &impl ConnectionTrait,
    pending: &[(usize, String, NewResult)],
) -> Result<HashMap<String, Uuid>, AppError> {
    let mut out = HashMap::with_capacity(pending.len());
    for chunk in pending.chunks(CHUNK) {
        let found: Vec<(Uuid, String)> = trainee::Entity::find()
            .select_only()
            .columns([trainee::Column::Id, trainee::Column::IdHash])
            .filter(trainee::Column::IdHash.is_in(chunk.iter().map(|p| p.1.clone())))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(found.into_iter().map(|(id, digest)| (digest, id)));
    }
    Ok(out)
}

fn failure(refusal: Refusal) -> RowFailure {
    match refusal {
        Refusal::Invalid(err) => RowFailure::from(&err),
        Refusal::Contradicts(field) => RowFailure {
            code: "CONFLICT",
            field: Some(field),
            message: match field {
                "passed" => "the opposite result is already recorded for this enrolment",
                "score" => "a different score is already recorded for this enrolment",
                _ => "a different assessment day is already recorded for this enrolment",
            }
            .to_owned(),
        },
        Refusal::Withdrawn => RowFailure {
            code: "CONFLICT",
            field: Some("idNumber"),
            message: "the person has withdrawn from the course".to_owned(),
        },
    }
}
