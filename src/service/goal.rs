//! A programme's goals (DESIGN.md §2.3). The two person goals are the track targets,
//! stored once in `programme_target`; the other five in `programme_goal`.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tracing::instrument;
use uuid::Uuid;

use super::{access, now, programme};
use crate::auth::CurrentUser;
use crate::domain::{GoalKind, GoalTarget, TargetCount, Track};
use crate::entity::{programme as programme_entity, programme_goal, programme_target};
use crate::error::{AppError, OnField};

/// The action plan's figures for the five goals that are not track targets.
pub const PLAN: [(GoalKind, f64); 5] = [
    (GoalKind::ServiceInstitutions, 100.0),
    (GoalKind::BasesAndParks, 50.0),
    (GoalKind::EnterprisesLaunched, 100.0),
    (GoalKind::InfluentialHosts, 50.0),
    (GoalKind::SalesCny, 300_000_000_000.0),
];

/// One goal of a programme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// The programme.
    pub programme_id: Uuid,
    /// The goal.
    pub kind: GoalKind,
    /// Its target, in the goal's unit.
    pub target: f64,
}

/// Sets (or replaces) a goal's target (CITY_ADMIN). A person goal is its track's target:
/// `setGoal(CERTIFIED_HOSTS)` and `setTarget(HOST)` write the same row.
#[instrument(skip_all, fields(programme.id = %programme_id))]
pub async fn set_goal(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    programme_id: Uuid,
    kind: GoalKind,
    target: GoalTarget,
) -> Result<programme_entity::Model, AppError> {
    access::require_city_admin(actor)?;
    let persons = match kind.track() {
        Some(track) => {
            let count = TargetCount::parse(target.get() as i32).on("target")?;
            Some((track, count))
        }
        None => None,
    };
    let txn = super::audit::write_transaction(db).await?;
    let found = programme::open(&txn, programme_id).await?;
    match persons {
        Some((track, count)) => programme::upsert_target(&txn, programme_id, track, count).await?,
        None => upsert(&txn, programme_id, kind, target.get()).await?,
    }
    super::audit::wrote(&txn, actor, "setGoal", "programme", [programme_id]).await?;
    super::commit(txn).await?;
    Ok(found)
}

/// Writes the plan's five other goals on a new default programme.
pub async fn set_plan(db: &impl ConnectionTrait, programme_id: Uuid) -> Result<(), AppError> {
    for (kind, target) in PLAN {
        upsert(db, programme_id, kind, target).await?;
    }
    Ok(())
}

async fn upsert(
    db: &impl ConnectionTrait,
    programme_id: Uuid,
    kind: GoalKind,
    target: f64,
) -> Result<(), AppError> {
    let at = now();
    programme_goal::Entity::insert(programme_goal::ActiveModel {
        programme_id: Set(programme_id),
        kind: Set(kind.as_str().to_owned()),
        target: Set(target),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            programme_goal::Column::ProgrammeId,
            programme_goal::Column::Kind,
        ])
        .update_columns([
            programme_goal::Column::Target,
            programme_goal::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every goal of the given programmes: the track targets as person goals, then the
/// others, each programme's in goal order.
pub async fn of_programmes(
    db: &impl ConnectionTrait,
    programme_ids: &[Uuid],
) -> Result<Vec<Goal>, AppError> {
    let mut out = Vec::new();
    for row in programme_target::Entity::find()
        .filter(programme_target::Column::ProgrammeId.is_in(programme_ids.iter().copied()))
        .all(db)
        .await?
    {
        let track: Track = row
            .track
            .parse()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored track")))?;
        out.push(Goal {
            programme_id: row.programme_id,
            kind: GoalKind::of_track(track),
            target: f64::from(row.target),
        });
    }
    for row in programme_goal::Entity::find()
        .filter(programme_goal::Column::ProgrammeId.is_in(programme_ids.iter().copied()))
        .all(db)
        .await?
    {
        out.push(Goal {
            programme_id: row.programme_id,
            kind: row
                .kind
                .parse()
                .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored goal kind")))?,
            target: row.target,
        });
    }
    out.sort_by_key(|g| (g.programme_id, g.kind));
    Ok(out)
}
