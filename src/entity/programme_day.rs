//! `programme_day`: a programme's newly certified persons per track and day.

use sea_orm::entity::prelude::*;

/// A row of `programme_day`; `track` holds a track code. `newly_certified` counts the
/// persons whose first qualifying certificate is that day (for `reachedOn` and the
/// projection).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub newly_certified: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
