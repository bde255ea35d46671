//! `audit_log`: one row per write and per read of personal data; append-only.

use sea_orm::entity::prelude::*;

/// A row of `audit_log`. Ids are UUID v7, so id order is time order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    /// The signed-in user, if any.
    pub actor_id: Option<Uuid>,
    /// Its role at the time.
    #[sea_orm(column_type = "Text", nullable)]
    pub actor_role: Option<String>,
    /// The client's IP address.
    #[sea_orm(column_type = "Text", nullable)]
    pub client: Option<String>,
    /// `WRITE` or `READ`.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// The GraphQL field (`enrol`, `trainees`, …).
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// The kind of record touched (`trainee`, `enrolment`, …).
    #[sea_orm(column_type = "Text", nullable)]
    pub record_type: Option<String>,
    /// The records' ids, comma-separated; never personal data.
    #[sea_orm(column_type = "Text", nullable)]
    pub record_ids: Option<String>,
    /// What a correction changed, by field name, and why; never personal data.
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
