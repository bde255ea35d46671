//! `Programme` and `Target`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::{CredentialKind, Date, Goal, Track, load, stored};
use crate::domain;
use crate::entity::{programme, programme_target};

/// A programme of the city with a target per track.
pub struct Programme(pub programme::Model);

impl From<programme::Model> for Programme {
    fn from(model: programme::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Programme {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// First day whose certificates count.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Last day whose certificates count.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Target per track.
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<Target>> {
        load(ctx, |l| &l.targets, self.0.id)
            .await?
            .unwrap_or_default()
            .iter()
            .map(Target::try_from)
            .collect()
    }

    /// Every goal with a target, in goal order; the two person goals are the track
    /// targets.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        Ok(load(ctx, |l| &l.goals, self.0.id)
            .await?
            .unwrap_or_default()
            .iter()
            .map(Goal::from)
            .collect())
    }

    /// When `closeProgramme` froze its figures; null while it is open.
    async fn closed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.closed_at
    }

    /// The credential kinds whose certificates count towards its targets.
    async fn counted_kinds(&self) -> Result<Vec<CredentialKind>> {
        let kinds = domain::CountedKinds::from_stored(&self.0.counted_kinds).map_err(|_| {
            crate::error::AppError::Internal(anyhow::anyhow!("bad stored counted kinds"))
        })?;
        Ok(kinds.kinds().map(Into::into).collect())
    }
}

/// Number of distinct persons to certify on a track.
#[derive(SimpleObject)]
pub struct Target {
    /// The track.
    pub track: Track,
    /// Persons to certify.
    pub target: i32,
}

impl TryFrom<&programme_target::Model> for Target {
    type Error = async_graphql::Error;

    fn try_from(model: &programme_target::Model) -> Result<Self> {
        Ok(Self {
            track: stored::<domain::Track>(&model.track)?.into(),
            target: model.target,
        })
    }
}
