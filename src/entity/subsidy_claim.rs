//! `subsidy_claim`: a skill-upgrade subsidy paid on a skill certificate.

use sea_orm::entity::prelude::*;

/// A row of `subsidy_claim`; `trainee_id`, `subtype` and `level` are the certificate's,
/// copied so a person's claims are judged from this table alone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidy_claim")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub certificate_id: Uuid,
    pub trainee_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub subtype: String,
    pub level: i32,
    pub paid_on: Date,
    pub amount_cny: i32,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
