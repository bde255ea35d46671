//! Bulk enrolment of a cohort (`enrolMany`, CSV import): register-or-find each person and
//! enrol them in one course, in set-based statements so 10,000 rows take seconds.
//!
//! Rows are independent: a refused row (bad input, a person twice in the batch, no seat
//! left) is reported with its error and writes nothing. Repeating a batch creates nothing
//! new. Modes: apply the valid rows, apply nothing if any row is refused, or report only.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use tracing::instrument;
use uuid::Uuid;

use super::activation::IssuedCode;
use super::admission::{self, Admitted};
use super::counting::Tally;
use super::enrolment::{own_course, require_open};
use super::pii::PiiKey;
use super::rate_limit::Clock;
use super::{Deps, now};
use crate::auth::{CurrentUser, secret_digest};

use crate::entity::{course, enrolment, trainee};
use crate::error::AppError;

use super::trainee::{NewTrainee, insert_new, same_person};

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

impl Pending {
    /// The id of the person's record, once found or registered.
    fn trainee_id(&self) -> Option<Uuid> {
        self.trainee.as_ref().map(|t| t.id)
    }
}

/// Registers and enrols a batch of people in a course of the caller's institution; the
/// audit trail records the enrolments it creates under `action` (the GraphQL field).
///
/// Everything runs in one transaction, which holds the course's lock from the start when
/// it has a capacity ([`admission::hold`]): seats are allotted to the rows in input order, then the people who got one are registered and admitted
/// a chunk at a time, so the working memory of a 10,000-row batch stays small.
#[instrument(skip_all, fields(course.id = %course_id, rows = rows.len(), mode = ?mode))]
pub async fn enrol_many(
    deps: &Deps,
    actor: &CurrentUser,
    course_id: Uuid,
    rows: Vec<BatchRow>,
    mode: BatchMode,
    action: &'static str,
) -> Result<BatchOutcome, AppError> {
    let (db, pii) = (&deps.db, &deps.pii);
    let (course, district) = own_course(db, actor, course_id).await?;
    require_open(&course)?;
    let (mut results, pending) = screen(pii, rows);

    // IMMEDIATE on SQLite: an open course is not locked first (see `admission::hold`),
    // and a deferred transaction that read first could not take the write lock later.
    let txn = super::audit::write_transaction(db).await?;
    let course = admission::hold(&txn, &course).await?;
    let admitted = allot_seats(&txn, &course, pending, &mut results).await?;
    let admitted = register_new(&txn, &deps.clock, admitted).await?;
    admit_in_chunks(
        &txn,
        actor,
        action,
        course,
        &district,
        admitted,
        &mut results,
    )
    .await?;

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

/// A result per row, refusing unreadable rows and a person's repeats; the rest pending.
fn screen(pii: &PiiKey, rows: Vec<BatchRow>) -> (Vec<RowResult>, Vec<Pending>) {
    let mut results: Vec<RowResult> = rows
        .iter()
        .map(|row| RowResult {
            position: row.position,
            ..RowResult::default()
        })
        .collect();
    let mut pending = Vec::with_capacity(rows.len());
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
    (results, pending)
}

/// Seats go to rows in input order; people already enrolled keep theirs (their row is
/// answered here); a known document under another name is refused (`CONFLICT` on
/// `name`). Returns the rows that got a seat, known people with their record.
async fn allot_seats(
    db: &impl ConnectionTrait,
    course: &course::Model,
    mut pending: Vec<Pending>,
    results: &mut [RowResult],
) -> Result<Vec<Pending>, AppError> {
    let mut existing = trainees_by_digest(db, pending.iter().map(|p| p.digest.clone())).await?;
    for p in &mut pending {
        p.trainee = existing.remove(&p.digest);
    }
    let known: Vec<Uuid> = pending.iter().filter_map(Pending::trainee_id).collect();
    let mut enrolled = admission::enrolments_of(db, course.id, &known).await?;
    let mut free = admission::free_seats(course);
    // Filtered in place (input order kept): a second list would double the memory.
    pending.retain_mut(|p| {
        if let Some(known) = &p.trainee
            && let Err(err) = same_person(known, &p.input.name)
        {
            results[p.index].error = Some(RowFailure::from(&err));
            return false;
        }
        let already = p.trainee.as_ref().and_then(|t| enrolled.remove(&t.id));
        if let Some(e) = already {
            let result = &mut results[p.index];
            result.enrolment = Some(e);
            result.trainee = p.trainee.take();
            return false;
        }
        if free == 0 {
            results[p.index].error = Some(RowFailure::from(&AppError::CapacityFull));
            return false;
        }
        free -= 1;
        true
    });
    Ok(pending)
}

/// Registers the people among `admitted` not known yet (only people who got a seat are
/// registered: a refused row writes nothing) and gives every row its record. A person a
/// racing call registered first is found, without this batch's activation code.
async fn register_new(
    db: &impl ConnectionTrait,
    clock: &Clock,
    mut admitted: Vec<Pending>,
) -> Result<Vec<Pending>, AppError> {
    // Rows are written in key order (digest, then trainee id in `admit_in_chunks`) so
    // that two batches sharing people lock the shared keys in the same order on
    // PostgreSQL instead of deadlocking.
    let mut new_people: Vec<&mut Pending> = admitted
        .iter_mut()
        .filter(|p| p.trainee.is_none())
        .collect();
    new_people.sort_by(|a, b| a.digest.cmp(&b.digest));
    for chunk in new_people.chunks_mut(CHUNK) {
        insert_trainees(db, clock, chunk).await?;
    }
    let missing = admitted
        .iter()
        .filter(|p| p.trainee.is_none())
        .map(|p| p.digest.clone());
    let mut found = trainees_by_digest(db, missing).await?;
    for p in &mut admitted {
        if p.trainee.is_none() {
            p.trainee = found.remove(&p.digest);
        }
    }
    Ok(admitted)
}

/// Admits the registered rows a chunk at a time, in trainee-id order, and answers them.
async fn admit_in_chunks(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: &str,
    mut course: course::Model,
    district: &str,
    mut admitted: Vec<Pending>,
    results: &mut [RowResult],
) -> Result<(), AppError> {
    // Sorted in place: a second list of 10,000 rows would double the batch's memory.
    admitted.retain(|p| {
        if p.trainee.is_none() {
            results[p.index].error = Some(RowFailure::from(&AppError::Internal(anyhow::anyhow!(
                "trainee missing after insert"
            ))));
        }
        p.trainee.is_some()
    });
    admitted.sort_unstable_by_key(Pending::trainee_id);
    let mut tally = Tally::new();
    let mut rest = admitted.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Pending> = rest.by_ref().take(CHUNK).collect();
        // Every row kept above has its record, so `ids` and `chunk` pair up.
        let ids: Vec<Uuid> = chunk.iter().filter_map(Pending::trainee_id).collect();
        let admissions =
            admission::admit(db, &mut tally, actor, action, &course, district, &ids, None).await?;
        for (p, admitted) in chunk.into_iter().zip(admissions) {
            if admitted.as_ref().is_some_and(|a| a.created) {
                course.enrolled_count += 1;
            }
            answer(&mut results[p.index], p, admitted);
        }
    }
    tally.send(db).await
}

/// The result of an admitted row.
fn answer(result: &mut RowResult, p: Pending, admitted: Option<Admitted>) {
    let Some(t) = p.trainee else { return };
    result.created = admitted.as_ref().is_some_and(|a| a.created);
    // Only the code of a person this batch inserted (not one a racing call did).
    result.activation_code = p
        .code
        .filter(|code| t.activation_code_hash.as_deref() == Some(secret_digest(code).as_str()));
    result.trainee = Some(t);
    result.enrolment = admitted.map(|a| a.enrolment);
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
    clock: &Clock,
    people: &mut [&mut Pending],
) -> Result<(), AppError> {
    let at = now();
    let mut rows = Vec::with_capacity(people.len());
    for p in people.iter_mut() {
        let code = IssuedCode::new(clock);
        rows.push(p.input.row(&p.digest, &code, at));
        p.code = Some(code.code);
    }
    insert_new(db, rows).await?;
    Ok(())
}
