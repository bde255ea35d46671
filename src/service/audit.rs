//! The audit trail: one append-only row per write (in the write's own transaction) and
//! per response that showed trainees' personal data. Rows name people by id only; no
//! name, document or phone ever enters them.

use std::fmt::Display;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::counting::Tally;
use super::counting::sql::Batch;
use super::page::{self, Page, PageRequest};
use super::{access, now};
use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::entity::audit_log;
use crate::error::AppError;

/// A change of data.
pub const WRITE: &str = "WRITE";
/// A response that showed personal data.
pub const READ: &str = "READ";

/// Who acted: a signed-in user, or an anonymous client (login, activation).
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// The user, if known.
    pub user_id: Option<Uuid>,
    /// Its role.
    pub role: Option<Role>,
    /// The client's address.
    pub client: Option<IpAddr>,
}

impl From<&CurrentUser> for Actor {
    fn from(user: &CurrentUser) -> Self {
        Self {
            user_id: Some(user.user_id),
            role: Some(user.role),
            client: user.client,
        }
    }
}

/// Records a write of `record_type` rows `ids` by `actor`; call it inside the write's
/// transaction so that the record and the change commit or vanish together.
pub async fn wrote<I: Display>(
    db: &impl ConnectionTrait,
    actor: impl Into<Actor>,
    action: &str,
    record_type: &str,
    ids: impl IntoIterator<Item = I>,
) -> Result<(), AppError> {
    send(
        db,
        entry(actor.into(), WRITE, action, record_type, ids, None),
    )
    .await
}

/// Records a write like [`wrote`] with a `detail` saying what changed (never personal
/// data): a replaced figure keeps its previous value there.
pub async fn wrote_detail<I: Display>(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: &str,
    record_type: &str,
    ids: impl IntoIterator<Item = I>,
    detail: String,
) -> Result<(), AppError> {
    let row = entry(actor.into(), WRITE, action, record_type, ids, Some(detail));
    send(db, row).await
}

/// Records a correction of row `id` of `record_type`: the fields changed, by name (never
/// their values), and the reason given.
pub async fn corrected(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: &str,
    record_type: &str,
    id: Uuid,
    fields: &[&str],
    reason: &str,
) -> Result<(), AppError> {
    let detail = format!("fields: {}; reason: {reason}", fields.join(", "));
    wrote_detail(db, actor, action, record_type, [id], detail).await
}

/// Records that a response showed the personal data of trainees `ids`.
pub async fn read_personal_data(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: &str,
    ids: &[Uuid],
) -> Result<(), AppError> {
    send(db, entry(actor, READ, action, "trainee", ids, None)).await
}

/// Records a write like [`wrote`], sent with the counts `tally` holds (one round trip for
/// both).
pub fn wrote_with<I: Display>(
    tally: &mut Tally,
    actor: &CurrentUser,
    action: &str,
    record_type: &str,
    ids: impl IntoIterator<Item = I>,
) {
    let row = entry(actor.into(), WRITE, action, record_type, ids, None);
    tally.records().extend(row);
}

/// The insert of one audit row, as a batch of its own.
fn entry<I: Display>(
    actor: Actor,
    kind: &str,
    action: &str,
    record_type: &str,
    ids: impl IntoIterator<Item = I>,
    detail: Option<String>,
) -> Batch {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    let mut batch = Batch::default();
    batch.insert_rows(
        "INSERT INTO audit_log (id, at, actor_id, actor_role, client, kind, action, \
         record_type, record_ids, detail) VALUES ",
        "",
        std::iter::once(vec![
            Uuid::now_v7().into(),
            now().into(),
            actor.user_id.into(),
            actor.role.map(|r| r.as_str().to_owned()).into(),
            actor.client.map(|c| c.to_string()).into(),
            kind.into(),
            action.into(),
            Some(record_type.to_owned()).into(),
            (!ids.is_empty()).then(|| ids.join(",")).into(),
            detail.into(),
        ]),
    );
    batch
}

/// Writes `batch` (one audit row).
async fn send(db: &impl ConnectionTrait, batch: Batch) -> Result<(), AppError> {
    batch.send(db).await?;
    Ok(())
}

/// A transaction for a write that reads first: IMMEDIATE on SQLite, so it holds the
/// write lock from the start instead of failing a lock upgrade under concurrency.
pub async fn write_transaction(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Narrows `auditLog`.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Rows of this user.
    pub actor_id: Option<Uuid>,
    /// `WRITE` or `READ`.
    pub kind: Option<&'static str>,
    /// Rows naming this record id.
    pub record_id: Option<Uuid>,
    /// Rows at or after this instant.
    pub since: Option<DateTime<Utc>>,
}

/// The audit trail, oldest first (CITY_ADMIN only).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: AuditFilter,
    page: PageRequest,
) -> Result<Page<audit_log::Model>, AppError> {
    access::require_city_admin(actor)?;
    let mut select = audit_log::Entity::find();
    if let Some(id) = filter.actor_id {
        select = select.filter(audit_log::Column::ActorId.eq(id));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(audit_log::Column::Kind.eq(kind));
    }
    if let Some(id) = filter.record_id {
        select = select.filter(audit_log::Column::RecordIds.contains(id.to_string()));
    }
    if let Some(since) = filter.since {
        select = select.filter(audit_log::Column::At.gte(since));
    }
    page::fetch(db, select, audit_log::Column::Id, page).await
}
