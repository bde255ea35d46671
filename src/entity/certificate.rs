//! `certificate`: issued for a completed enrolment, copying its track and level; a
//! national credential's enrolment is the assessment behind it.

use sea_orm::entity::prelude::*;

/// A row of `certificate`; `track` holds a track code, `revoked_by` the revoking user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text", unique)]
    pub number: String,
    #[sea_orm(unique)]
    pub enrolment_id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    pub institution_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub track: String,
    pub level: Option<i32>,
    pub issued_at: DateTimeUtc,
    pub issued_on: Date,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub revocation_reason: Option<String>,
    pub revoked_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// `TRAINING_COMPLETION`, `SKILL_LEVEL` or `SPECIAL_ABILITY`.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// `4-01-02-07` on the national credentials.
    #[sea_orm(column_type = "Text")]
    pub occupation_code: Option<String>,
    /// The sub-type (工种) of a national credential.
    #[sea_orm(column_type = "Text")]
    pub subtype: Option<String>,
    /// The national number of a national credential, unique.
    #[sea_orm(column_type = "Text", unique)]
    pub national_number: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::course::Entity",
        from = "Column::CourseId",
        to = "super::course::Column::Id",
        on_delete = "Restrict"
    )]
    Course,
    #[sea_orm(
        belongs_to = "super::enrolment::Entity",
        from = "Column::EnrolmentId",
        to = "super::enrolment::Column::Id",
        on_delete = "Restrict"
    )]
    Enrolment,
    #[sea_orm(
        belongs_to = "super::institution::Entity",
        from = "Column::InstitutionId",
        to = "super::institution::Column::Id",
        on_delete = "Restrict"
    )]
    Institution,
    #[sea_orm(
        belongs_to = "super::trainee::Entity",
        from = "Column::TraineeId",
        to = "super::trainee::Column::Id",
        on_delete = "Restrict"
    )]
    Trainee,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::RevokedBy",
        to = "super::user::Column::Id",
        on_delete = "Restrict"
    )]
    RevokedBy,
}

impl Related<super::course::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Course.def()
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

impl Related<super::trainee::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Trainee.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RevokedBy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
