//! `enrolMany`: a cohort at once.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::domain::ValidationError;
use crate::error::AppError;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::inputs::EnrolManyInput;
use crate::graphql::types::{Enrolment, Trainee, parse_id};
use crate::service::Deps;
use crate::service::batch::{self, BatchOutcome, BatchRow, RowFailure};

/// Most rows one call may carry.
pub const MAX_BATCH_ROWS: usize = 10_000;

/// Refuses a batch of more than [`MAX_BATCH_ROWS`] rows on `field`.
pub fn within_row_limit(field: &'static str, rows: usize) -> Result<(), AppError> {
    if rows > MAX_BATCH_ROWS {
        return Err(AppError::validation(
            field,
            ValidationError::OutOfRange {
                min: 0,
                max: MAX_BATCH_ROWS as i64,
                value: rows as i64,
            },
        ));
    }
    Ok(())
}

/// Why a row was refused.
#[derive(SimpleObject)]
pub struct RowError {
    /// The `extensions.code` the row would get on its own (`BAD_USER_INPUT`,
    /// `CAPACITY_FULL`, `CONFLICT` for a person listed twice, ...).
    pub code: String,
    /// The input field at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl From<RowFailure> for RowError {
    fn from(f: RowFailure) -> Self {
        Self {
            code: f.code.to_owned(),
            field: f.field.map(str::to_owned),
            message: f.message,
        }
    }
}

/// The outcome of one input row.
#[derive(SimpleObject)]
pub struct EnrolManyResult {
    /// 0-based position in the input (CSV import: the file's line number).
    pub index: i32,
    /// The person, masked (null in a dry run or when nothing was applied).
    pub trainee: Option<Trainee>,
    /// The enrolment (likewise).
    pub enrolment: Option<Enrolment>,
    /// True when this call enrolled the person (in a dry run: would enrol).
    pub created: bool,
    /// One-time code of a person this call registered, for `activateTraineeAccount`.
    pub activation_code: Option<String>,
    /// Set on refused rows only.
    pub error: Option<RowError>,
}

/// Per-row results of a batch.
#[derive(SimpleObject)]
pub struct EnrolManyPayload {
    /// One per input row, in input order.
    pub results: Vec<EnrolManyResult>,
    /// Rows enrolled by this call.
    pub created_count: i32,
    /// Rows refused.
    pub failed_count: i32,
    /// False in a dry run, or when ALL_OR_NOTHING met a refused row.
    pub applied: bool,
}

impl EnrolManyPayload {
    /// The payload of an outcome; each result's index is its row's position.
    pub fn new(outcome: BatchOutcome) -> Self {
        let created_count = outcome.rows.iter().filter(|r| r.created).count();
        let failed_count = outcome.rows.iter().filter(|r| r.error.is_some()).count();
        let results = outcome
            .rows
            .into_iter()
            .map(|r| EnrolManyResult {
                index: i32::try_from(r.position).unwrap_or(i32::MAX),
                trainee: r.trainee.map(Into::into),
                enrolment: r.enrolment.map(Into::into),
                created: r.created,
                activation_code: r.activation_code,
                error: r.error.map(Into::into),
            })
            .collect();
        Self {
            results,
            created_count: i32::try_from(created_count).unwrap_or(i32::MAX),
            failed_count: i32::try_from(failed_count).unwrap_or(i32::MAX),
            applied: outcome.applied,
        }
    }
}

/// Bulk enrolment.
#[derive(Default)]
pub struct BatchMutation;

#[Object]
impl BatchMutation {
    /// Registers (or finds) each person and enrols them in the course. Each row gets its
    /// own result; a refused row changes nothing. Repeating the call creates nothing new.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn enrol_many(
        &self,
        ctx: &Context<'_>,
        input: EnrolManyInput,
    ) -> Result<EnrolManyPayload> {
        let deps = ctx.data::<Deps>()?;
        let course_id = parse_id("courseId", &input.course_id)?;
        within_row_limit("trainees", input.trainees.len())?;
        // Each input row is dropped once read, not kept beside its parsed copy.
        let rows = input
            .trainees
            .into_iter()
            .enumerate()
            .map(|(position, t)| BatchRow {
                position,
                trainee: t.parse(&deps.districts),
            })
            .collect();
        let outcome = batch::enrol_many(
            deps,
            caller(ctx)?,
            course_id,
            rows,
            input.mode.into(),
            "enrolMany",
        )
        .await?;
        Ok(EnrolManyPayload::new(outcome))
    }
}
