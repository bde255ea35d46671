//! `programme_person`: a person's certificates on a track within a programme's period,
//! maintained by certificate writes (`service/counting/`).

use sea_orm::entity::prelude::*;

/// A row of `programme_person`; `track` holds a track code. A row at 0 certificates
/// (left by revocations) counts as no row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub trainee_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub track: String,
    /// Unrevoked certificates issued in the period.
    pub certificates: i32,
    /// Issue day of the first of them.
    pub first_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
