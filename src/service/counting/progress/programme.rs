//! Which programme a progress read is of: the one asked for, or the one running today,
//! and the guess of it that lets `asOf`'s figures be read at once with it.

use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{programme as programme_entity, programme_target};
use crate::error::AppError;

/// The programme found current last time, in this process: a guess that
/// [`with_targets`] confirms in the same request.
pub(super) struct CurrentProgramme;

static CURRENT_PROGRAMME: Mutex<Option<Uuid>> = Mutex::new(None);

impl CurrentProgramme {
    pub(super) fn guess() -> Option<Uuid> {
        *CURRENT_PROGRAMME
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn found(id: Uuid) {
        *CURRENT_PROGRAMME
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(id);
    }
}

/// The programme of `id` (or the current one) and its targets in track order, in one
/// statement.
pub(super) async fn with_targets(
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
    today: NaiveDate,
) -> Result<(programme_entity::Model, Vec<programme_target::Model>), AppError> {
    let mut query = programme_entity::Entity::find();
    if let Some(id) = id {
        query = query.filter(programme_entity::Column::Id.eq(id));
    }
    let all = query
        .find_with_related(programme_target::Entity)
        .all(db)
        .await?;
    let found = match id {
        Some(id) => all
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("programme", id)),
        None => current(all, today),
    };
    let (programme, mut targets) = found?;
    targets.sort_by(|a, b| a.track.cmp(&b.track));
    Ok((programme, targets))
}

type WithTargets = (programme_entity::Model, Vec<programme_target::Model>);

/// The programme running `today` (the latest started if several), else the one that
/// ended last.
fn current(all: Vec<WithTargets>, today: NaiveDate) -> Result<WithTargets, AppError> {
    let running = all
        .iter()
        .filter(|(p, _)| p.starts_on <= today && today <= p.ends_on)
        .max_by_key(|(p, _)| (p.starts_on, p.id))
        .cloned();
    running
        .or_else(|| {
            all.into_iter()
                .max_by_key(|(p, _)| (p.ends_on, p.starts_on, p.id))
        })
        .ok_or_else(|| AppError::not_found("programme", "current"))
}
