//! `enrol`, `completeEnrolment`, `withdrawEnrolment`.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::domain::Title;
use crate::error::OnField;
use crate::graphql::guards::{INSTITUTION, RoleGuard, caller};
use crate::graphql::inputs::{CompleteEnrolmentInput, EnrolInput, WithdrawEnrolmentInput};
use crate::graphql::types::{Enrolment, parse_id};
use crate::service::sessions::{self, Unconfirmed};
use crate::service::{Deps, enrolment};

/// Result of `enrol`.
#[derive(SimpleObject)]
pub struct EnrolPayload {
    /// The enrolment, new or existing.
    pub enrolment: Enrolment,
    /// True when this call enrolled the trainee; false for a repeat.
    pub created: bool,
}

/// Mutations on enrolments (institution staff, own courses).
#[derive(Default)]
pub struct EnrolmentMutation;

#[Object]
impl EnrolmentMutation {
    /// Enrols a trainee in a course of the caller's institution. Repeating it returns the
    /// same enrolment with `created: false`; a full course is `CAPACITY_FULL`.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn enrol(&self, ctx: &Context<'_>, input: EnrolInput) -> Result<EnrolPayload> {
        let deps = ctx.data::<Deps>()?;
        let actor = caller(ctx)?;
        // A caller taken from memory is confirmed before it is told anything.
        let unconfirmed = ctx.data_opt::<Unconfirmed>();
        let ids = parse_id("traineeId", &input.trainee_id)
            .and_then(|trainee| Ok((trainee, parse_id("courseId", &input.course_id)?)));
        let (trainee_id, course_id) = match (ids, unconfirmed) {
            (Ok(ids), _) => ids,
            (Err(err), Some(session)) => {
                sessions::confirm(&deps.db, session, actor).await?;
                return Err(err.into());
            }
            (Err(err), None) => return Err(err.into()),
        };
        let enrolled = enrolment::enrol(
            &deps.db,
            &deps.known_courses,
            actor,
            unconfirmed,
            trainee_id,
            course_id,
        )
        .await?;
        Ok(EnrolPayload {
            enrolment: enrolled.enrolment.into(),
            created: enrolled.created,
        })
    }

    /// Records the result: passed completes the enrolment and issues its certificate;
    /// otherwise it is FAILED. A finished enrolment is a `CONFLICT`.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn complete_enrolment(
        &self,
        ctx: &Context<'_>,
        input: CompleteEnrolmentInput,
    ) -> Result<Enrolment> {
        let deps = ctx.data::<Deps>()?;
        let (id, outcome) = input.parse()?;
        Ok(enrolment::complete(&deps.db, caller(ctx)?, id, outcome)
            .await?
            .into())
    }

    /// Withdraws an ENROLLED trainee and frees the seat.
    #[graphql(guard = "RoleGuard::new(INSTITUTION)")]
    async fn withdraw_enrolment(
        &self,
        ctx: &Context<'_>,
        input: WithdrawEnrolmentInput,
    ) -> Result<Enrolment> {
        let deps = ctx.data::<Deps>()?;
        let id = parse_id("enrolmentId", &input.enrolment_id)?;
        let reason = input
            .reason
            .as_deref()
            .map(Title::parse)
            .transpose()
            .on("reason")?;
        Ok(enrolment::withdraw(&deps.db, caller(ctx)?, id, reason)
            .await?
            .into())
    }
}
