//! `recordResults` and `importResults`: a course's results at once.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::batch::{RowError, within_row_limit};
use super::import::read_upload;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::inputs::{ImportResultsInput, RecordResultsInput};
use crate::graphql::types::{Certificate, Enrolment, parse_id};
use crate::service::results::{self, ResultRow, ResultsOutcome};
use crate::service::{Deps, csv_import};

/// The outcome of one result row.
#[derive(SimpleObject)]
pub struct RecordResultRow {
    /// 0-based position in the input (CSV import: the file's line number).
    pub index: i32,
    /// True when this call recorded the result (in a dry run: would record); false for a
    /// row repeating the recorded result, and for a refused row.
    pub changed: bool,
    /// The enrolment as it stands (null in a dry run or when nothing was applied).
    pub enrolment: Option<Enrolment>,
    /// Its certificate, when passed (likewise).
    pub certificate: Option<Certificate>,
    /// Set on refused rows only.
    pub error: Option<RowError>,
}

/// Per-row outcomes of a results batch.
#[derive(SimpleObject)]
pub struct RecordResultsPayload {
    /// One per input row, in input order.
    pub results: Vec<RecordResultRow>,
    /// Rows this call recorded as passed (in a dry run: would record).
    pub passed_count: i32,
    /// Rows this call recorded as failed (likewise).
    pub failed_count: i32,
    /// Rows refused.
    pub refused_count: i32,
    /// False in a dry run, or when ALL_OR_NOTHING met a refused row.
    pub applied: bool,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<ResultsOutcome> for RecordResultsPayload {
    fn from(outcome: ResultsOutcome) -> Self {
        let recorded = |passed: bool| {
            outcome
                .rows
                .iter()
                .filter(|r| r.changed && r.passed == Some(passed))
                .count()
        };
        let passed_count = count(recorded(true));
        let failed_count = count(recorded(false));
        let refused_count = count(outcome.rows.iter().filter(|r| r.error.is_some()).count());
        Self {
            results: outcome
                .rows
                .into_iter()
                .map(|r| RecordResultRow {
                    index: count(r.position),
                    changed: r.changed,
                    enrolment: r.enrolment.map(Into::into),
                    certificate: r.certificate.map(Into::into),
                    error: r.error.map(Into::into),
                })
                .collect(),
            passed_count,
            failed_count,
            refused_count,
            applied: outcome.applied,
        }
    }
}

/// Results in bulk.
#[derive(Default)]
pub struct ResultsMutation;

#[Object]
impl ResultsMutation {
    /// Records each person's result in the course, matched to their enrolment by identity
    /// document, exactly as `completeEnrolment` records one: a pass completes the
    /// enrolment and issues its certificate, dated by `assessedOn`. A row repeating the
    /// recorded result changes nothing (`changed: false`); one contradicting it is refused
    /// with `CONFLICT` on `passed`. Each row gets its own outcome; a refused row changes
    /// nothing.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn record_results(
        &self,
        ctx: &Context<'_>,
        input: RecordResultsInput,
    ) -> Result<RecordResultsPayload> {
        let deps = ctx.data::<Deps>()?;
        let course_id = parse_id("courseId", &input.course_id)?;
        within_row_limit("results", input.results.len())?;
        let rows = input
            .results
            .iter()
            .enumerate()
            .map(|(position, r)| ResultRow {
                position,
                result: r.parse(),
            })
            .collect();
        let outcome = results::record_results(
            &deps.db,
            &deps.pii,
            caller(ctx)?,
            course_id,
            rows,
            input.mode.into(),
            "recordResults",
        )
        .await?;
        Ok(outcome.into())
    }

    /// Records the results of each data row of the file, exactly like `recordResults`;
    /// each result's `index` is the row's line in the file (the header is line 1). A file
    /// that cannot be read is refused on the field `file` with the line or header at
    /// fault, and changes nothing. Importing the same file again changes nothing.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn import_results(
        &self,
        ctx: &Context<'_>,
        input: ImportResultsInput,
    ) -> Result<RecordResultsPayload> {
        let deps = ctx.data::<Deps>()?;
        let course_id = parse_id("courseId", &input.course_id)?;
        let file = read_upload(ctx, &input.file)?;
        let outcome = csv_import::import_results(
            &deps.db,
            &deps.pii,
            caller(ctx)?,
            course_id,
            &file,
            input.mode.into(),
        )
        .await?;
        Ok(outcome.into())
    }
}
