//! `Enrolment`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{Certificate, Course, EnrolmentStatus, Trainee, load, load_required, stored};
use crate::domain;
use crate::entity::enrolment;

/// A trainee's place in a course.
pub struct Enrolment(pub enrolment::Model);

impl From<enrolment::Model> for Enrolment {
    fn from(model: enrolment::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Enrolment {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The enrolled person.
    async fn trainee(&self, ctx: &Context<'_>) -> Result<Trainee> {
        load_required(ctx, |l| &l.trainee, self.0.trainee_id)
            .await
            .map(Into::into)
    }
    /// The course.
    async fn course(&self, ctx: &Context<'_>) -> Result<Course> {
        load_required(ctx, |l| &l.course, self.0.course_id)
            .await
            .map(Into::into)
    }
    /// Where the enrolment stands.
    async fn status(&self) -> Result<EnrolmentStatus> {
        stored::<domain::EnrolmentStatus>(&self.0.status).map(Into::into)
    }
    /// When the trainee was enrolled.
    async fn enrolled_at(&self) -> DateTime<Utc> {
        self.0.enrolled_at
    }
    /// When the result was recorded.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// Final score 0–100, when recorded.
    async fn score(&self) -> Option<i32> {
        self.0.score
    }
    /// The certificate issued on passing.
    async fn certificate(&self, ctx: &Context<'_>) -> Result<Option<Certificate>> {
        Ok(load(ctx, |l| &l.certificate_of_enrolment, self.0.id)
            .await?
            .map(Into::into))
    }
}
