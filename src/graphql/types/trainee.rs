//! `Trainee`: a person, always shown masked.

use async_graphql::{Context, ID, Object, Result};

use super::{Certificate, Enrolment, IdType, load, stored};
use crate::domain::{self, PersonName, PhoneNumber};
use crate::entity::trainee;

/// A person in training. Personal data is masked in every response, to every caller.
pub struct Trainee(pub trainee::Model);

impl From<trainee::Model> for Trainee {
    fn from(model: trainee::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Trainee {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, masked: the first character, then `*` (张** for 张三丰).
    async fn name(&self) -> String {
        PersonName::parse(&self.0.name)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "*".to_owned())
    }
    /// Identity-document number, masked (`440301********123X`).
    async fn id_number_masked(&self) -> &str {
        &self.0.id_masked
    }
    /// Type of identity document.
    async fn id_type(&self) -> Result<IdType> {
        stored::<domain::IdType>(&self.0.id_type).map(Into::into)
    }
    /// Mobile phone, masked (`138****5678`).
    async fn phone_masked(&self) -> Option<String> {
        let phone = self.0.phone.as_deref()?;
        Some(
            PhoneNumber::parse(phone)
                .map(|p| p.masked())
                .unwrap_or_else(|_| "*".to_owned()),
        )
    }
    /// District of residence as registered (not derived from the ID number).
    async fn district(&self) -> Option<&str> {
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
