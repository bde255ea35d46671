//! `Enrolment`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{Certificate, Course, Date, EnrolmentStatus, Trainee, load, load_required, stored};
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
    /// Day of the exam (考核日期), when a result is recorded: the day the completion and
    /// its certificate count on.
    async fn assessed_on(&self) -> Option<Date> {
        self.0.assessed_on.map(Into::into)
    }
    /// When the trainee withdrew.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    /// Why the trainee withdrew, as entered.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawal_reason.as_deref()
    }
    /// The certificate issued on passing.
    async fn certificate(&self, ctx: &Context<'_>) -> Result<Option<Certificate>> {
        Ok(load(ctx, |l| &l.certificate_of_enrolment, self.0.id)
            .await?
            .map(Into::into))
    }
}
