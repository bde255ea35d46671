//! `createCourse`, `updateCourse`.

use async_graphql::{Context, Object, Result};

use crate::domain::Role;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::inputs::{CreateCourseInput, UpdateCourseInput};
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

    /// Corrects a course of the caller's institution (INSTITUTION_ADMIN): title, hours,
    /// capacity (not below the seats taken: `CONFLICT` on `capacity`) and dates.
    #[graphql(guard = "RoleGuard::new(&[Role::InstitutionAdmin])")]
    async fn update_course(&self, ctx: &Context<'_>, input: UpdateCourseInput) -> Result<Course> {
        let deps = ctx.data::<Deps>()?;
        let (course_id, changes) = input.parse()?;
        Ok(course::update(&deps.db, caller(ctx)?, course_id, changes)
            .await?
            .into())
    }
}
