//! `recognition`: an organisation or a person counted against a goal of a programme.

use sea_orm::entity::prelude::*;

/// A row of `recognition`; exactly one of `institution_id` and `trainee_id` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recognition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    pub institution_id: Option<Uuid>,
    pub trainee_id: Option<Uuid>,
    pub recognised_on: Date,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub recognised_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub withdrawal_reason: Option<String>,
    pub withdrawn_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
