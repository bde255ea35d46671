//! `user`: a login account, scoped to an institution or a trainee by its role.

use sea_orm::entity::prelude::*;

/// A row of `user`; `role` holds a role code, and the role decides which of
/// `institution_id` / `trainee_id` is set (`user_role_scope_check`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text", unique)]
    pub username: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "Text")]
    pub role: String,
    pub institution_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub trainee_id: Option<Uuid>,
    /// False once deactivated: no login, no session.
    pub active: bool,
    /// Set by a password reset; cleared by `changePassword`.
    pub must_change_password: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::institution::Entity",
        from = "Column::InstitutionId",
        to = "super::institution::Column::Id",
        on_delete = "Restrict"
    )]
    Institution,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
    #[sea_orm(
        belongs_to = "super::trainee::Entity",
        from = "Column::TraineeId",
        to = "super::trainee::Column::Id",
        on_delete = "Restrict"
    )]
    Trainee,
}

impl Related<super::institution::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Institution.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::trainee::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Trainee.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
