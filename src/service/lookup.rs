//! Batched reads by id, for the GraphQL data loaders.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{course, institution, programme, trainee, user};
use crate::error::AppError;

/// An entity whose primary key is one UUID column.
pub trait ById: EntityTrait {
    /// The key column.
    fn id_column() -> Self::Column;
    /// The key of a row.
    fn id_of(model: &Self::Model) -> Uuid;
}

/// The rows of `ids` (missing ids are simply absent).
pub async fn by_ids<E: ById>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<E::Model>, AppError> {
    Ok(E::find()
        .filter(E::id_column().is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

macro_rules! by_id {
    ($($module:ident),+) => {$(
        impl ById for $module::Entity {
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        }
    )+};
}

by_id!(course, institution, programme, trainee, user);
