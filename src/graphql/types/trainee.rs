//! `Trainee`: a person, shown whole only to themself and to the institutions that own
//! them (they registered the person and print the certificates), masked to everyone
//! else.

use async_graphql::{Context, ID, Object, Result};

use super::{Certificate, Enrolment, IdType, load, stored};
use std::sync::Arc;

use crate::auth::CurrentUser;
use crate::domain::{self, PersonName, PhoneNumber, Role};
use crate::entity::trainee;
use crate::graphql::PersonalDataShown;

/// A person in training. The name and phone are whole for the person themself and for
/// users of an institution that owns the person, masked for everyone else; the
/// document number is always masked.
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

/// True when the caller may see this person's name and phone whole: the person
/// themself, or a user of an institution that owns them.
async fn shown_whole(ctx: &Context<'_>, trainee: &trainee::Model) -> Result<bool> {
    let Some(caller) = ctx.data_opt::<CurrentUser>() else {
        return Ok(false);
    };
    match caller.role {
        Role::Trainee => Ok(caller.trainee_id == Some(trainee.id)),
        Role::InstitutionAdmin | Role::InstitutionStaff => {
            Ok(load(ctx, |l| &l.owned, trainee.id).await?.unwrap_or(false))
        }
        Role::CityAdmin | Role::CityAnalyst => Ok(false),
    }
}

fn masked_name(trainee: &trainee::Model) -> String {
    PersonName::parse(&trainee.name)
        .map(|n| n.masked())
        .unwrap_or_else(|_| "*".to_owned())
}

#[Object]
impl Trainee {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name for the person themself and for users of an institution that owns
    /// them; masked for everyone else, like `nameMasked`.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        shown(ctx, &self.0);
        if shown_whole(ctx, &self.0).await? {
            Ok(self.0.name.clone())
        } else {
            Ok(masked_name(&self.0))
        }
    }
    /// Name, always masked: the first character, then `*` (张** for 张三丰).
    async fn name_masked(&self, ctx: &Context<'_>) -> String {
        shown(ctx, &self.0);
        masked_name(&self.0)
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
    /// Mobile phone, whole on the same terms as `name`; null for everyone else.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        shown(ctx, &self.0);
        if shown_whole(ctx, &self.0).await? {
            Ok(self.0.phone.as_deref())
        } else {
            Ok(None)
        }
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
