//! Bulk enrolment of a cohort (`enrolMany`, CSV import): register-or-find each person and
//! enrol them in one course, in set-based statements so 10,000 rows take seconds.
//!
//! Rows are independent: a refused row (bad input, a person twice in the batch, no seat
//! left) is reported with its error and writes nothing. Repeating a batch creates nothing
//! new. Modes: apply the valid rows, apply nothing if any row is refused, or report only.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::admission::{self, Admitted};
use super::enrolment::{own_course, require_open};
use super::now;
use super::pii::PiiKey;
use crate::auth::{CurrentUser, new_secret, secret_digest};

use crate::entity::{enrolment, trainee};
use crate::error::AppError;

use super::trainee::NewTrainee;

/// Rows per multi-row statement: well under both engines' bind-parameter limits.
const CHUNK: usize = 500;

/// What to do with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchMode {
    /// Apply the valid rows, report the refused ones.
    ApplyValid,
    /// Apply nothing if any row is refused.
    AllOrNothing,
    /// Report what would happen, write nothing.
    DryRun,
}

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFailure {
    /// `extensions.code`-style code.
    pub code: &'static str,
    /// The input field at fault, if one is.
    pub field: Option<&'static str>,
    /// What is wrong, for a person fixing the spreadsheet.
    pub message: String,
}

impl From<&AppError> for RowFailure {
    fn from(err: &AppError) -> Self {
        Self {
            code: err.code(),
            field: err.field(),
            message: err.client_message(),
        }
    }
}

/// One input row: where the client sees it and the person it carries (or why it could
/// not be read).
#[derive(Debug)]
pub struct BatchRow {
    /// The row's position as the client counts it: 0-based index, or a CSV file's line.
    pub position: usize,
    /// The person, or the row's parse failure.
    pub trainee: Result<NewTrainee, AppError>,
}

/// The outcome of one row.
#[derive(Debug, Default)]
pub struct RowResult {
    /// The row's position, as given in [`BatchRow::position`].
    pub position: usize,
    /// The person (not in a dry run or a rolled-back batch).
    pub trainee: Option<trainee::Model>,
    /// The enrolment (likewise).
    pub enrolment: Option<enrolment::Model>,
    /// True when this batch enrolled the person (or would, in a dry run).
    pub created: bool,
    /// One-time code of a person this batch registered.
    pub activation_code: Option<String>,
    /// Set on refused rows only.
    pub error: Option<RowFailure>,
}

/// Results in input order, and whether anything was written.
#[derive(Debug)]
pub struct BatchOutcome {
    /// One per input row.
    pub rows: Vec<RowResult>,
    /// True when the batch was committed.
    pub applied: bool,
}

struct Pending {
    index: usize,
    input: NewTrainee,
    digest: String,
    trainee: Option<trainee::Model>,
    code: Option<String>,
}

/// Registers and enrols a batch of people in a course of the caller's institution; the
/// audit trail records the enrolments it creates under `action` (the GraphQL field).
#[instrument(skip_all, fields(course.id = %course_id, rows = rows.len(), mode = ?mode))]
pub async fn enrol_many(
    db: &DatabaseConnection,
    pii: &PiiKey,
    actor: &CurrentUser,
    course_id: Uuid,
    rows: Vec<BatchRow>,
    mode: BatchMode,
    action: &'static str,
) -> Result<BatchOutcome, AppError> {
    let (course, district) = own_course(db, actor, course_id).await?;
    require_open(&course)?;
    let mut results: Vec<RowResult> = rows
        .iter()
        .map(|row| RowResult {
            position: row.position,
            ..RowResult::default()
        })
        .collect();
    let mut pending = Vec::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for (index, row) in rows.into_iter().enumerate() {
        match row.trainee {
            Err(err) => results[index].error = Some(RowFailure::from(&err)),
            Ok(input) => {
                let digest = pii.digest(&input.document);
                if let Some(first) = first_row.get(&digest) {
                    results[index].error = Some(same_person_as(*first));
                    continue;
                }
                first_row.insert(digest.clone(), row.position);
                pending.push(Pending {
                    index,
                    input,
                    digest,
                    trainee: None,
                    code: None,
                });
            }
        }
    }

    let txn = db.begin().await?;
    let course = admission::lock(&txn, course.id).await?;

    let existing = trainees_by_digest(&txn, pending.iter().map(|p| p.digest.clone())).await?;
    for p in &mut pending {
        p.trainee = existing.get(&p.digest).cloned();
    }
    let known: Vec<Uuid> = pending
        .iter()
        .filter_map(|p| p.trainee.as_ref().map(|t| t.id))
        .collect();
    let enrolled = admission::enrolments_of(&txn, course.id, &known).await?;

    // Seats go to rows in input order; people already enrolled keep theirs. Only people
    // who get a seat are registered: a refused row writes nothing.
    let mut free = admission::free_seats(&course);
    let mut admitted = Vec::new();
    for p in pending {
        let already = p.trainee.as_ref().and_then(|t| enrolled.get(&t.id));
        if let Some(e) = already {
            let result = &mut results[p.index];
            result.enrolment = Some(e.clone());
            result.trainee = p.trainee.clone();
            continue;
        }
        if free == 0 {
            results[p.index].error = Some(RowFailure::from(&AppError::CapacityFull));
            continue;
        }
        free -= 1;
        admitted.push(p);
    }

    // Rows are written in key order (digest, trainee id) so that two batches sharing
    // people lock the shared keys in the same order on PostgreSQL instead of deadlocking.
    let mut new_people: Vec<&mut Pending> = admitted
        .iter_mut()
        .filter(|p| p.trainee.is_none())
        .collect();
    new_people.sort_by(|a, b| a.digest.cmp(&b.digest));
    insert_trainees(&txn, new_people).await?;
    let found = trainees_by_digest(&txn, admitted.iter().map(|p| p.digest.clone())).await?;
    for p in &mut admitted {
        if p.trainee.is_none() {
            p.trainee = found.get(&p.digest).cloned();
        }
    }
    let mut ids: Vec<Uuid> = admitted
        .iter()
        .filter_map(|p| p.trainee.as_ref().map(|t| t.id))
        .collect();
    ids.sort_unstable();
    let admissions = admission::admit_locked(&txn, actor, action, &course, &district, &ids).await?;
    let mut by_trainee: HashMap<Uuid, Admitted> = ids
        .iter()
        .zip(admissions)
        .filter_map(|(id, a)| a.map(|a| (*id, a)))
        .collect();

    for p in admitted {
        let result = &mut results[p.index];
        let Some(t) = p.trainee else {
            result.error = Some(RowFailure::from(&AppError::Internal(anyhow::anyhow!(
                "trainee missing after insert"
            ))));
            continue;
        };
        let admitted = by_trainee.remove(&t.id);
        result.created = admitted.as_ref().is_some_and(|a| a.created);
        // Only the code of a person this batch inserted (not one a racing call did).
        result.activation_code = p
            .code
            .filter(|code| t.activation_code_hash.as_deref() == Some(secret_digest(code).as_str()));
        result.trainee = Some(t);
        result.enrolment = admitted.map(|a| a.enrolment);
    }
    let refused = results.iter().any(|r| r.error.is_some());
    let apply = settle(txn, mode, refused).await?;
    if !apply {
        for r in &mut results {
            // Rows written in the rolled-back transaction do not exist.
            r.trainee = None;
            r.enrolment = None;
            r.activation_code = None;
            if mode == BatchMode::AllOrNothing {
                r.created = false;
            }
        }
    }
    Ok(BatchOutcome {
        rows: results,
        applied: apply,
    })
}

/// The refusal of a row naming the same person as the row at `first`.
pub fn same_person_as(first: usize) -> RowFailure {
    RowFailure {
        code: "CONFLICT",
        field: Some("idNumber"),
        message: format!("the same person as row {first}"),
    }
}

/// Ends a batch's transaction as `mode` says, given whether a row was refused: commits
/// (true) or rolls back (false).
pub async fn settle(
    txn: DatabaseTransaction,
    mode: BatchMode,
    refused: bool,
) -> Result<bool, AppError> {
    let apply = match mode {
        BatchMode::ApplyValid => true,
        BatchMode::AllOrNothing => !refused,
        BatchMode::DryRun => false,
    };
    if apply {
        super::commit(txn).await?;
    } else {
        txn.rollback().await?;
    }
    Ok(apply)
}

async fn trainees_by_digest(
    db: &impl ConnectionTrait,
    digests: impl Iterator<Item = String>,
) -> Result<HashMap<String, trainee::Model>, AppError> {
    let digests: Vec<String> = digests.collect();
    let mut out = HashMap::new();
    for chunk in digests.chunks(CHUNK) {
        for t in trainee::Entity::find()
            .filter(trainee::Column::IdHash.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            out.insert(t.id_hash.clone(), t);
        }
    }
    Ok(out)
}

async fn insert_trainees(
    db: &impl ConnectionTrait,
    people: Vec<&mut Pending>,
) -> Result<(), AppError> {
    let at = now();
    let mut rows = Vec::with_capacity(people.len());
    for p in people {
        let code = new_secret();
        rows.push(trainee::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(p.input.name.as_str().to_owned()),
            id_type: Set(p.input.document.id_type().as_str().to_owned()),
            id_hash: Set(p.digest.clone()),
            id_masked: Set(p.input.document.masked()),
            phone: Set(p.input.phone.as_ref().map(|x| x.as_str().to_owned())),
            district: Set(p.input.district.as_ref().map(|d| d.as_str().to_owned())),
            activation_code_hash: Set(Some(secret_digest(&code))),
            created_at: Set(at),
            updated_at: Set(at),
        });
        p.code = Some(code);
    }
    for chunk in rows.chunks(CHUNK) {
        trainee::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(trainee::Column::IdHash)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
