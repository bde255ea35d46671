//! `courses`.

use async_graphql::{Context, Object, Result};

use crate::graphql::guards::{RoleGuard, STAFF, caller};
use crate::graphql::inputs::CourseFilter;
use crate::graphql::types::{Course, ListConnection, connection, page_request};
use crate::service::{Deps, course};

/// Queries about courses.
#[derive(Default)]
pub struct CourseQuery;

#[Object]
impl CourseQuery {
    /// Courses: all for the city, the own institution's for institution staff.
    #[graphql(guard = "RoleGuard::new(STAFF)")]
    async fn courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        filter: Option<CourseFilter>,
    ) -> Result<ListConnection<Course>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let rows = course::list(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, Course::from))
    }
}
