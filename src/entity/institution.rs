//! `institution`: an organisation that registers trainees and runs courses.

use sea_orm::entity::prelude::*;

/// A row of `institution`; `kind` holds an institution-kind code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "institution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", unique)]
    pub credit_code: String,
    #[sea_orm(column_type = "Text")]
    pub district: String,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// An evaluation organisation (评价机构), which records skill certificates.
    pub evaluator: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::certificate::Entity")]
    Certificate,
    #[sea_orm(has_many = "super::course::Entity")]
    Course,
    #[sea_orm(has_many = "super::trainee_institution::Entity")]
    TraineeInstitution,
    #[sea_orm(has_many = "super::user::Entity")]
    User,
}

impl Related<super::certificate::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Certificate.def()
    }
}

impl Related<super::course::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Course.def()
    }
}

impl Related<super::trainee_institution::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TraineeInstitution.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

/// The trainees an institution registered or enrolled.
impl Related<super::trainee::Entity> for Entity {
    fn to() -> RelationDef {
        super::trainee_institution::Relation::Trainee.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::trainee_institution::Relation::Institution
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
