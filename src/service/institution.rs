//! Institutions: registration by the city and scoped reads.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::page::{self, Page, PageRequest};
use super::{access, now};
use crate::auth::CurrentUser;
use crate::domain::{CreditCode, District, InstitutionKind, Title};
use crate::entity::institution;
use crate::error::{AppError, map_unique_violation};

/// Input of [`create`].
#[derive(Debug)]
pub struct NewInstitution {
    /// Registered name.
    pub name: Title,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// District of the configured list.
    pub district: District,
    /// Kind of organisation.
    pub kind: InstitutionKind,
    /// An evaluation organisation (评价机构), which records skill certificates.
    pub evaluator: bool,
}

/// Registers an institution (CITY_ADMIN). A second registration of the same credit code
/// is a `CONFLICT`.
#[instrument(skip_all, fields(institution.credit_code = %input.credit_code.as_str()))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewInstitution,
) -> Result<institution::Model, AppError> {
    access::require_city_admin(actor)?;
    let at = now();
    let txn = db.begin().await?;
    let created = institution::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.as_str().to_owned()),
        credit_code: Set(input.credit_code.as_str().to_owned()),
        district: Set(input.district.as_str().to_owned()),
        kind: Set(input.kind.as_str().to_owned()),
        evaluator: Set(input.evaluator),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await
    .map_err(map_unique_violation)?;
    super::audit::wrote(
        &txn,
        actor,
        "createInstitution",
        "institution",
        [created.id],
    )
    .await?;
    super::commit(txn).await?;
    Ok(created)
}

/// The institution of `id`, or `NotFound`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<institution::Model, AppError> {
    institution::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("institution", id))
}

/// Institutions the caller may read: all for city roles, its own for institution roles.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    page: PageRequest,
) -> Result<Page<institution::Model>, AppError> {
    let mut select = institution::Entity::find();
    if let Some(own) = access::read_scope(actor)? {
        select = select.filter(institution::Column::Id.eq(own));
    }
    page::fetch(db, select, institution::Column::Id, page).await
}
