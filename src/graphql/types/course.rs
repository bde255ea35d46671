//! `Course`.

use async_graphql::{Context, ID, Object, Result};

use super::{
    Date, Enrolment, EnrolmentStatus, Institution, ListConnection, SkillSubtype, Track, connection,
    load, load_required, page_request, stored,
};
use crate::domain;
use crate::entity::course;
use crate::graphql::guards::{RoleGuard, caller};
use crate::graphql::query::READERS;
use crate::service::{Deps, roster};

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
    /// The sub-type (工种) it trains for; null when it names none.
    async fn subtype(&self) -> Result<Option<SkillSubtype>> {
        SkillSubtype::stored(self.0.subtype.as_deref())
    }
    /// Whether its hours reach the national standard's training hours for its level
    /// (level 5: 120, 4: 104, 3: 88, 2 and 1: 72); null without a sub-type or a level,
    /// and for the assessment behind a national certificate, which is not training.
    async fn meets_standard_hours(&self) -> Option<bool> {
        let level = u8::try_from(self.0.level?).ok()?;
        (self.0.subtype.is_some() && !self.0.assessment)
            .then(|| domain::meets_standard_hours(self.0.hours, level))
    }
    /// True for the assessment behind one national certificate (made by
    /// `recordSkillCertificate`): not listed in `courses`, nobody enrols in it.
    async fn assessment(&self) -> bool {
        self.0.assessment
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
    async fn enrolled_count(&self, ctx: &Context<'_>) -> Result<i32> {
        // An open course's seats are partly in shards (folded when it gets a capacity).
        let shards = match self.0.capacity {
            Some(_) => 0,
            None => load(ctx, |l| &l.seats, self.0.id).await?.unwrap_or(0),
        };
        Ok(i32::try_from(i64::from(self.0.enrolled_count) + shards).unwrap_or(i32::MAX))
    }
    /// The course's roster, oldest enrolment first, scoped like `enrolments`: whole for
    /// the institution running it and the city, the own enrolment for a trainee, empty
    /// for another institution.
    #[graphql(guard = "RoleGuard::new(READERS)")]
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last row already seen.")] after: Option<String>,
        #[graphql(desc = "Only enrolments in this state.")] status: Option<EnrolmentStatus>,
    ) -> Result<ListConnection<Enrolment>> {
        let deps = ctx.data::<Deps>()?;
        let page = page_request(ctx, first, after.as_deref())?;
        let filter = roster::EnrolmentFilter {
            course_id: Some(self.0.id),
            status: status.map(Into::into),
            ..roster::EnrolmentFilter::default()
        };
        let rows = roster::enrolments(&deps.db, caller(ctx)?, filter, page).await?;
        Ok(connection(rows, |m| m.id, Enrolment::from))
    }
}
