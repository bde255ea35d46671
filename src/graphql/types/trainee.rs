//! `Trainee`: a person, always shown masked.

use async_graphql::{Context, ID, Object, Result};

use super::{Certificate, Enrolment, IdType, load, stored};
use std::sync::Arc;

use crate::domain::{self, PersonName, PhoneNumber};
use crate::entity::trainee;
use crate::graphql::PersonalDataShown;

/// A person in training. Personal data is masked in every response, to every caller.
pub struct Trainee(pub trainee::Model);

impl From<trainee::Model> for Trainee {
    fn from(model: trainee::Model) -> Self {
        Self(model)
    }
}

/// Notes for the audit trail that the response shows this person's personal data.
fn shown(ctx: &Context<'_>, trainee: &trainee::Model) {
    if let Some(shown) = ctx.data_opt::<Arc<PersonalDataShown>>() {
        shown.note(trainee.id);
    }
}

#[Object]
impl Trainee {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, masked: the first character, then `*` (张** for 张三丰).
    async fn name(&self, ctx: &Context<'_>) -> String {
        shown(ctx, &self.0);
        PersonName::parse(&self.0.name)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "*".to_owned())
    }
    /// Identity-document number, masked (`440301********123X`).
    async fn id_number_masked(&self, ctx: &Context<'_>) -> &str {
        shown(ctx, &self.0);
        &self.0.id_masked
    }
    /// Type of identity document.
    async fn id_type(&self) -> Result<IdType> {
        stored::<domain::IdType>(&self.0.id_type).map(Into::into)
    }
    /// Mobile phone, masked (`138****5678`).
    async fn phone_masked(&self, ctx: &Context<'_>) -> Option<String> {
        shown(ctx, &self.0);
        let phone = self.0.phone.as_deref()?;
        Some(
            PhoneNumber::parse(phone)
                .map(|p| p.masked())
                .unwrap_or_else(|_| "*".to_owned()),
        )
    }
    /// District of residence as registered (not derived from the ID number).
    async fn district(&self, ctx: &Context<'_>) -> Option<&str> {
        shown(ctx, &self.0);
        self.0.district.as_deref()
    }
    /// Enrolments the caller may see: all for the city and the trainee, the own
    /// institution's for institution staff.
    async fn enrolments(&self, ctx: &Context<'_>) -> Result<Vec<Enrolment>> {
        Ok(load(ctx, |l| &l.enrolments, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Certificates the caller may see, scoped like `enrolments`.
    async fn certificates(&self, ctx: &Context<'_>) -> Result<Vec<Certificate>> {
        Ok(load(ctx, |l| &l.certificates, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
