//! `enrolment`: a trainee's place on a course and its outcome.

use sea_orm::entity::prelude::*;

/// A row of `enrolment`; `status` holds an enrolment-status code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub enrolled_at: DateTimeUtc,
    pub enrolled_on: Date,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_on: Option<Date>,
    pub score: Option<i32>,
    /// Day of the exam, set with the result; completions and certificates count on it.
    pub assessed_on: Option<Date>,
    pub withdrawn_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub withdrawal_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::certificate::Entity")]
    Certificate,
    #[sea_orm(
        belongs_to = "super::course::Entity",
        from = "Column::CourseId",
        to = "super::course::Column::Id",
        on_delete = "Restrict"
    )]
    Course,
    #[sea_orm(
        belongs_to = "super::trainee::Entity",
        from = "Column::TraineeId",
        to = "super::trainee::Column::Id",
        on_delete = "Restrict"
    )]
    Trainee,
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

impl Related<super::trainee::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Trainee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
