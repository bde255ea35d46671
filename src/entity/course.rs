//! `course`: a training course run by an institution, with its seat counter.

use sea_orm::entity::prelude::*;

/// A row of `course`; `track` holds a track code, and `enrolled_count` never exceeds
/// `capacity` (`course_capacity_check`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub institution_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub track: String,
    pub level: Option<i32>,
    pub hours: i32,
    pub capacity: Option<i32>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    #[sea_orm(default_value = 0)]
    pub enrolled_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The sub-type (工种) it trains for.
    #[sea_orm(column_type = "Text")]
    pub subtype: Option<String>,
    /// The assessment behind one national credential (made by `recordSkillCertificate`),
    /// not a course anyone enrols in.
    pub assessment: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::certificate::Entity")]
    Certificate,
    #[sea_orm(has_many = "super::enrolment::Entity")]
    Enrolment,
    #[sea_orm(
        belongs_to = "super::institution::Entity",
        from = "Column::InstitutionId",
        to = "super::institution::Column::Id",
        on_delete = "Restrict"
    )]
    Institution,
}

impl Related<super::certificate::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Certificate.def()
    }
}

impl Related<super::enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrolment.def()
    }
}

impl Related<super::institution::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Institution.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
