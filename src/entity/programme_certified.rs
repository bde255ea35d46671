//! `programme_certified`: the tracks a person is certified on within a programme.

use sea_orm::entity::prelude::*;

/// A row of `programme_certified`; `tracks` is 0, 1 or 2.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_certified")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub trainee_id: Uuid,
    pub tracks: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
