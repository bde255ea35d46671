//! `goal_counter`: a programme's achieved figure of a goal met by recognitions or sales.

use sea_orm::entity::prelude::*;

/// A row of `goal_counter`; `kind` holds a goal kind code, `achieved` the live
/// recognitions or the sales sum in fen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_counter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub kind: String,
    pub achieved: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
