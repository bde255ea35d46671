//! Inputs of the bulk operations: a cohort (`enrolMany`, `importEnrolments`) and a
//! course's results (`recordResults`, `importResults`), and how a batch is applied.

use async_graphql::{ID, InputObject, Upload};

use super::RegisterTraineeInput;
use crate::error::AppError;
use crate::graphql::types::{Date, IdType};
use crate::service::batch;
use crate::service::results::NewResult;

/// How a batch is applied.
#[derive(async_graphql::Enum, Copy, Clone, PartialEq, Eq, Default)]
pub enum BatchMode {
    /// Apply the valid rows and report the refused ones.
    #[default]
    ApplyValid,
    /// Apply nothing if any row is refused.
    AllOrNothing,
    /// Report what would happen without writing anything.
    DryRun,
}

impl From<BatchMode> for batch::BatchMode {
    fn from(mode: BatchMode) -> Self {
        match mode {
            BatchMode::ApplyValid => Self::ApplyValid,
            BatchMode::AllOrNothing => Self::AllOrNothing,
            BatchMode::DryRun => Self::DryRun,
        }
    }
}

/// A cohort to register (or find) and enrol.
#[derive(InputObject)]
pub struct EnrolManyInput {
    /// A course of the caller's institution that has not ended.
    pub course_id: ID,
    /// The people, at most 10,000.
    pub trainees: Vec<RegisterTraineeInput>,
    /// How to apply the batch.
    #[graphql(default)]
    pub mode: BatchMode,
}

/// A roster file to import into a course.
#[derive(InputObject)]
pub struct ImportEnrolmentsInput {
    /// A course of the caller's institution that has not ended.
    pub course_id: ID,
    /// The CSV file (multipart upload), at most 2 MiB and 10,000 data rows: UTF-8 with or
    /// without BOM, or GBK as Excel saves it on Chinese Windows. The first line names the
    /// columns, in English or Chinese: `name`/`姓名` and `idNumber`/`身份证号`/`证件号码`
    /// (required), `idType`/`证件类型`, `phone`/`手机号`, `district`/`区`.
    pub file: Upload,
    /// How to apply the rows.
    #[graphql(default)]
    pub mode: BatchMode,
}

/// One person's result in `recordResults`.
#[derive(InputObject)]
pub struct ResultInput {
    /// Type of identity document.
    #[graphql(default_with = "IdType::ResidentId")]
    pub id_type: IdType,
    /// Document number of a person enrolled in the course.
    pub id_number: String,
    /// Passed: COMPLETED and a certificate is issued; otherwise FAILED.
    pub passed: bool,
    /// Final score, 0–100.
    pub score: Option<i32>,
    /// Day of the exam (考核日期); today (China Standard Time) when null.
    pub assessed_on: Option<Date>,
}

impl ResultInput {
    /// Validates the fields.
    pub fn parse(&self) -> Result<NewResult, AppError> {
        NewResult::parse(
            self.id_type.into(),
            &self.id_number,
            self.passed,
            self.score,
            self.assessed_on.map(|d| d.0),
        )
    }
}

/// A course's results.
#[derive(InputObject)]
pub struct RecordResultsInput {
    /// A course of the caller's institution.
    pub course_id: ID,
    /// The results, at most 10,000, one per person.
    pub results: Vec<ResultInput>,
    /// How to apply the rows.
    #[graphql(default)]
    pub mode: BatchMode,
}

/// A results file to import into a course.
#[derive(InputObject)]
pub struct ImportResultsInput {
    /// A course of the caller's institution.
    pub course_id: ID,
    /// The CSV file (multipart upload), at most 2 MiB and 10,000 data rows: UTF-8 with or
    /// without BOM, or GBK. The first line names the columns, in English or Chinese:
    /// `idNumber`/`身份证号` and `passed`/`是否通过` (required: `true`/`false`, `是`/`否`,
    /// `通过`/`不通过`, `合格`/`不合格`), `idType`/`证件类型`, `score`/`成绩`,
    /// `assessedOn`/`考核日期` (`2025-12-30` or `2025/12/30`).
    pub file: Upload,
    /// How to apply the rows.
    #[graphql(default)]
    pub mode: BatchMode,
}
