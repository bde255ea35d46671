//! `importEnrolments`: a cohort from a CSV file sent per the GraphQL multipart request spec.

use std::io::Read;

use async_graphql::{Context, Object, Result, Upload};

use crate::graphql::inputs::ImportEnrolmentsInput;

use super::batch::EnrolManyPayload;
use crate::domain::ValidationError;
use crate::error::AppError;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::types::parse_id;
use crate::service::Deps;
use crate::service::csv_import::{self, MAX_FILE_BYTES};

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
