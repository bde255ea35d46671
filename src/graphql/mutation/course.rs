//! `createCourse`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::CreateCourseInput;
use crate::graphql::types::Course;
use crate::service::{Deps, course};

/// Mutations on courses.
#[derive(Default)]
pub struct CourseMutation;

#[Object]
impl CourseMutation {
    /// Opens a course of the caller's institution (INSTITUTION_ADMIN).
    #[graphql(guard = "RoleGuard::new(&[Role::InstitutionAdmin])")]
    async fn create_course(&self, ctx: &Context<'_>, input: CreateCourseInput) -> Result<Course> {
        let deps = ctx.data::<Deps>()?;
        let input = input.parse()?;
        Ok(course::create(&deps.db, caller(ctx)?, input).await?.into())
    }
}
