//! `importEnrolments`: a cohort from a CSV file sent per the GraphQL multipart request spec.

use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Result, Upload};

use super::batch::{BatchMode, EnrolManyPayload};
use crate::domain::ValidationError;
use crate::error::AppError;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::types::parse_id;
use crate::service::Deps;
use crate::service::csv_import::{self, MAX_FILE_BYTES};

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

/// CSV import.
#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Registers (or finds) the person of each data row of the file and enrols them in the
    /// course, exactly like `enrolMany`; each result's `index` is the row's line in the file
    /// (the header is line 1). A file that cannot be read is refused on the field `file`
    /// with the line or header at fault, and changes nothing.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn import_enrolments(
        &self,
        ctx: &Context<'_>,
        input: ImportEnrolmentsInput,
    ) -> Result<EnrolManyPayload> {
        let deps = ctx.data::<Deps>()?;
        let course_id = parse_id("courseId", &input.course_id)?;
        let file = read_upload(ctx, &input.file)?;
        let outcome =
            csv_import::import_enrolments(deps, caller(ctx)?, course_id, &file, input.mode.into())
                .await?;
        Ok(EnrolManyPayload::new(outcome))
    }
}

/// The uploaded bytes, reading one byte past the limit so an oversize file is recognised
/// without holding more of it. Uploads are kept in memory (the request body is bounded),
/// so this read does not block.
pub(super) fn read_upload(ctx: &Context<'_>, upload: &Upload) -> Result<Vec<u8>, AppError> {
    let refused = |message: &'static str| {
        AppError::validation("file", ValidationError::InvalidFormat(message))
    };
    let value = upload
        .value(ctx)
        .map_err(|_| refused("must be sent as a file part of a multipart request"))?;
    let mut bytes = Vec::new();
    value
        .into_read()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| refused("could not be read"))?;
    Ok(bytes)
}
