//! `trainee`: a person in the programme, identified by a keyed hash of their ID document.

use sea_orm::entity::prelude::*;

/// A row of `trainee`; the ID number itself is never stored, only `id_hash` and `id_masked`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trainee")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub id_type: String,
    #[sea_orm(column_type = "Text", unique)]
    pub id_hash: String,
    #[sea_orm(column_type = "Text")]
    pub id_masked: String,
    #[sea_orm(column_type = "Text")]
    pub phone: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub district: Option<String>,
    #[sea_orm(column_type = "Text", unique)]
    pub activation_code_hash: Option<String>,
    /// When the current activation code was issued; it expires a configured time later.
    pub activation_code_issued_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::certificate::Entity")]
    Certificate,
    #[sea_orm(has_many = "super::enrolment::Entity")]
    Enrolment,
    #[sea_orm(has_many = "super::trainee_institution::Entity")]
    TraineeInstitution,
    #[sea_orm(has_one = "super::user::Entity")]
    User,
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

/// The institutions that registered or enrolled a trainee.
impl Related<super::institution::Entity> for Entity {
    fn to() -> RelationDef {
        super::trainee_institution::Relation::Institution.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::trainee_institution::Relation::Trainee.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
