//! `programme`: a funded cultivation programme running between two dates.

use sea_orm::entity::prelude::*;

/// A row of `programme`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When `closeProgramme` froze its figures.
    pub closed_at: Option<DateTimeUtc>,
    /// The credential kinds it counts, comma separated (`TRAINING_COMPLETION,SKILL_LEVEL`).
    #[sea_orm(column_type = "Text")]
    pub counted_kinds: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::programme_target::Entity")]
    ProgrammeTarget,
}

impl Related<super::programme_target::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgrammeTarget.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
