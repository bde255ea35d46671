//! `programme_person_counter`: a programme's certified persons, one shard of them.

use sea_orm::entity::prelude::*;

/// A row of `programme_person_counter`: `persons` certified on any track and
/// `both_tracks` certified on both; readers sum the shards of a programme.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_person_counter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub shard: i32,
    pub persons: i32,
    pub both_tracks: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
