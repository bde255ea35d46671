//! `Course`.

use async_graphql::{Context, ID, Object, Result};

use super::{Date, Institution, Track, load_required, stored};
use crate::domain;
use crate::entity::course;

/// A course of one institution on one track.
pub struct Course(pub course::Model);

impl From<course::Model> for Course {
    fn from(model: course::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Course {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The institution running the course.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Institution> {
        load_required(ctx, |l| &l.institution, self.0.institution_id)
            .await
            .map(Into::into)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Track the course trains for.
    async fn track(&self) -> Result<Track> {
        stored::<domain::Track>(&self.0.track).map(Into::into)
    }
    /// Vocational skill level 1–5 (5 entry level, 1 highest), when the course leads to one.
    async fn level(&self) -> Option<i32> {
        self.0.level
    }
    /// Teaching hours.
    async fn hours(&self) -> i32 {
        self.0.hours
    }
    /// Seats; unlimited when null.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }
    /// First day.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    /// Last day.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// Seats taken (enrolments not withdrawn).
    async fn enrolled_count(&self) -> i32 {
        self.0.enrolled_count
    }
}
