//! Programmes and their per-track targets, including the default programme of the plan
//! (with the plan's other goals, [`super::goal`]).

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::{access, now};
use crate::auth::CurrentUser;
use crate::domain::{CountedKinds, DateSpan, TargetCount, Title, Track, ValidationError};
use crate::entity::{programme, programme_target};
use crate::error::AppError;

/// Input of [`create`].
#[derive(Debug)]
pub struct NewProgramme {
    /// Programme name.
    pub name: Title,
    /// First day counted.
    pub starts_on: NaiveDate,
    /// Last day counted.
    pub ends_on: NaiveDate,
    /// Targets per track.
    pub targets: Vec<(Track, TargetCount)>,
    /// The credential kinds it counts.
    pub counted_kinds: CountedKinds,
}

/// Checks a programme period (both ends required, start not after end).
pub fn period(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), AppError> {
    DateSpan::parse(Some(starts_on), Some(ends_on))
        .map(drop)
        .map_err(|e| AppError::validation("endsOn", e))
}

/// Creates a programme with its targets in one transaction (CITY_ADMIN).
#[instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewProgramme,
) -> Result<programme::Model, AppError> {
    access::require_city_admin(actor)?;
    period(input.starts_on, input.ends_on)?;
    let mut seen = Vec::new();
    for (track, _) in &input.targets {
        if seen.contains(track) {
            return Err(AppError::validation(
                "targets",
                ValidationError::InvalidFormat("lists a track twice"),
            ));
        }
        seen.push(*track);
    }
    let txn = db.begin().await?;
    let created = insert(&txn, &input).await?;
    super::audit::wrote(&txn, actor, "createProgramme", "programme", [created.id]).await?;
    super::commit(txn).await?;
    Ok(created)
}

async fn insert(
    db: &impl ConnectionTrait,
    input: &NewProgramme,
) -> Result<programme::Model, AppError> {
    let at = now();
    let created = programme::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.as_str().to_owned()),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_at: Set(at),
        updated_at: Set(at),
        closed_at: Set(None),
        counted_kinds: Set(input.counted_kinds.stored()),
    }
    .insert(db)
    .await?;
    for (track, target) in &input.targets {
        upsert_target(db, created.id, *track, *target).await?;
    }
    super::counting::recount::backfill_programme(db, &created).await?;
    Ok(created)
}

/// Sets (or replaces) the target of a track (CITY_ADMIN).
#[instrument(skip_all, fields(programme.id = %programme_id))]
pub async fn set_target(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    programme_id: Uuid,
    track: Track,
    target: TargetCount,
) -> Result<programme::Model, AppError> {
    access::require_city_admin(actor)?;
    let txn = super::audit::write_transaction(db).await?;
    let found = open(&txn, programme_id).await?;
    upsert_target(&txn, programme_id, track, target).await?;
    super::audit::wrote(&txn, actor, "setTarget", "programme", [programme_id]).await?;
    super::commit(txn).await?;
    Ok(found)
}

pub(super) async fn upsert_target(
    db: &impl ConnectionTrait,
    programme_id: Uuid,
    track: Track,
    target: TargetCount,
) -> Result<(), AppError> {
    let at = now();
    programme_target::Entity::insert(programme_target::ActiveModel {
        programme_id: Set(programme_id),
        track: Set(track.as_str().to_owned()),
        target: Set(target.get()),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            programme_target::Column::ProgrammeId,
            programme_target::Column::Track,
        ])
        .update_columns([
            programme_target::Column::Target,
            programme_target::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The programme of `id`, still open: a closed one is `CONFLICT` on `programmeId` (its
/// targets, recognitions and sales are final). On PostgreSQL the row is share-locked
/// until the transaction ends, so [`close`] waits for this write and freezes it.
pub async fn open(db: &impl ConnectionTrait, id: Uuid) -> Result<programme::Model, AppError> {
    // `FOR SHARE` on PostgreSQL; SQLite has no row locks (its writers take turns).
    let found = programme::Entity::find_by_id(id)
        .lock_shared()
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("programme", id))?;
    if found.closed_at.is_some() {
        return Err(AppError::ConflictOn {
            field: "programmeId",
            message: "the programme is closed: its figures are final",
        });
    }
    Ok(found)
}

/// Closes a programme whose last day is past (CITY_ADMIN): its figures as they stand now
/// up to its last day, for the city and every institution's share, are copied into
/// `programme_final` and answered from there from now on (`final: true`). Before the end
/// of its last day, or a second time, `CONFLICT` on `programmeId`.
#[instrument(skip_all, fields(programme.id = %programme_id))]
pub async fn close(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    programme_id: Uuid,
) -> Result<programme::Model, AppError> {
    access::require_city_admin(actor)?;
    let txn = super::audit::write_transaction(db).await?;
    let found = get(&txn, programme_id).await?;
    if crate::domain::programme_date(now()) <= found.ends_on {
        return Err(AppError::ConflictOn {
            field: "programmeId",
            message: "the programme has not ended: it can be closed after its last day",
        });
    }
    let at = now();
    let closed = programme::Entity::update_many()
        .col_expr(programme::Column::ClosedAt, Expr::value(at))
        .filter(programme::Column::Id.eq(programme_id))
        .filter(programme::Column::ClosedAt.is_null())
        .exec(&txn)
        .await?;
    if closed.rows_affected != 1 {
        return Err(AppError::ConflictOn {
            field: "programmeId",
            message: "the programme is closed already",
        });
    }
    super::counting::as_of::freeze(&txn, &found).await?;
    super::audit::wrote(&txn, actor, "closeProgramme", "programme", [programme_id]).await?;
    super::commit(txn).await?;
    get(db, programme_id).await
}

/// The programme of `id`, or `NotFound`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<programme::Model, AppError> {
    programme::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("programme", id))
}

/// Every programme, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<programme::Model>, AppError> {
    Ok(programme::Entity::find()
        .order_by_asc(programme::Column::StartsOn)
        .order_by_asc(programme::Column::Id)
        .all(db)
        .await?)
}

/// Targets of the given programmes, in track order.
pub async fn targets(
    db: &impl ConnectionTrait,
    programme_ids: &[Uuid],
) -> Result<Vec<programme_target::Model>, AppError> {
    Ok(programme_target::Entity::find()
        .filter(programme_target::Column::ProgrammeId.is_in(programme_ids.iter().copied()))
        .order_by_asc(programme_target::Column::Track)
        .all(db)
        .await?)
}

/// Creates the action plan's programme when no programme exists (first start). Runs
/// inside the caller's bootstrap transaction.
pub async fn ensure_default(db: &impl ConnectionTrait) -> Result<bool, AppError> {
    if programme::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let plan = NewProgramme {
        name: Title::parse("Livestreaming e-commerce talent 2023–2025")
            .map_err(|e| AppError::validation("name", e))?,
        starts_on: date(2023, 1, 1)?,
        ends_on: date(2025, 12, 31)?,
        targets: vec![
            (Track::Host, target(3_000)?),
            (Track::Professional, target(10_000)?),
        ],
        counted_kinds: CountedKinds::default(),
    };
    let created = insert(db, &plan).await?;
    super::goal::set_plan(db, created.id).await?;
    Ok(true)
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad date")))
}

fn target(n: i32) -> Result<TargetCount, AppError> {
    TargetCount::parse(n).map_err(|e| AppError::validation("target", e))
}
