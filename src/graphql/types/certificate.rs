//! `Certificate`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{
    CertificateStatus, Course, CredentialKind, Date, Institution, SkillSubtype, Track, Trainee,
    User, load, load_required, stored,
};
use crate::domain;
use crate::entity::certificate;
use crate::service::Deps;

/// Proof that a person passed a course, or a national credential recorded here.
pub struct Certificate(pub certificate::Model);

impl From<certificate::Model> for Certificate {
    fn from(model: certificate::Model) -> Self {
        Self(model)
    }
}

/// Status of a certificate at `now`: revocation wins over expiry.
pub fn status_at(model: &certificate::Model, now: DateTime<Utc>) -> CertificateStatus {
    crate::service::verification::status_at(model, now).into()
}

#[Object]
impl Certificate {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Human-readable certificate number.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// The certified person.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Trainee> {
        load_required(ctx, |l| &l.trainee, self.0.trainee_id)
            .await
            .map(Into::into)
    }
    /// The course passed; for a national credential, the assessment behind it.
    async fn course(&self, ctx: &Context<'_>) -> Result<Course> {
        load_required(ctx, |l| &l.course, self.0.course_id)
            .await
            .map(Into::into)
    }
    /// The issuing institution.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Institution> {
        load_required(ctx, |l| &l.institution, self.0.institution_id)
            .await
            .map(Into::into)
    }
    /// Track of the course.
    async fn track(&self) -> Result<Track> {
        stored::<domain::Track>(&self.0.track).map(Into::into)
    }
    /// Skill level of the course.
    async fn level(&self) -> Option<i32> {
        self.0.level
    }
    /// When it was issued (the result was entered).
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// The day it is dated: the assessment day of the result. Every count uses this day.
    async fn issued_on(&self) -> Date {
        self.0.issued_on.into()
    }
    /// When it expires; never when null.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Why it was revoked.
    async fn revocation_reason(&self) -> Option<&str> {
        self.0.revocation_reason.as_deref()
    }
    /// Who revoked it.
    async fn revoked_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.0.revoked_by {
            Some(id) => Ok(load(ctx, |l| &l.user, id).await?.map(Into::into)),
            None => Ok(None),
        }
    }
    /// Which credential it is: a training completion certificate, or a national skill-level
    /// or special-ability certificate.
    async fn kind(&self) -> Result<CredentialKind> {
        stored::<domain::CredentialKind>(&self.0.kind).map(Into::into)
    }
    /// The national occupation code (`4-01-02-07`, 互联网营销师) of a national credential.
    async fn occupation_code(&self) -> Option<&str> {
        self.0.occupation_code.as_deref()
    }
    /// The sub-type (工种) of a national credential.
    async fn subtype(&self) -> Result<Option<SkillSubtype>> {
        SkillSubtype::stored(self.0.subtype.as_deref())
    }
    /// The 22-character national certificate number of a national credential (also its
    /// `number`).
    async fn national_number(&self) -> Option<&str> {
        self.0.national_number.as_deref()
    }
    /// Whether it stands now.
    async fn status(&self, ctx: &Context<'_>) -> Result<CertificateStatus> {
        let now = ctx.data::<Deps>()?.clock.utc_now();
        Ok(status_at(&self.0, now))
    }
    /// The public page that checks this certificate: `TALENT_PUBLIC_URL` +
    /// `/verify?number=…` (the number URL-encoded). Its QR code, for printing on the
    /// certificate, is `/verify/qr.svg?number=…`.
    async fn verification_url(&self, ctx: &Context<'_>) -> Result<String> {
        let deps = ctx.data::<Deps>()?;
        Ok(crate::service::verification::url(
            &deps.public_url,
            &self.0.number,
        ))
    }
}
