//! `programme_counter`: a programme's totals on a track, one shard of them.

use sea_orm::entity::prelude::*;

/// A row of `programme_counter`; `track` holds a track code. Writers add to a random
/// shard, readers sum the shards of a programme and track.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_counter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub shard: i32,
    pub certified: i32,
    pub in_training: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
