//! `AuditEntry`: one row of the audit trail.

use async_graphql::{Enum, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::{Role, stored};
use crate::domain;
use crate::entity::audit_log;
use crate::service::audit;

/// What an audit entry records.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuditKind {
    /// A change of data (every successful mutation).
    Write,
    /// A response that showed trainees' personal data (masked).
    Read,
}

impl AuditKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Write => audit::WRITE,
            Self::Read => audit::READ,
        }
    }
}

/// One append-only entry of the audit trail. It names records by id, never by personal
/// data.
pub struct AuditEntry(pub audit_log::Model);

impl From<audit_log::Model> for AuditEntry {
    fn from(model: audit_log::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl AuditEntry {
    /// Stable id; entries are ordered by it, oldest first.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The user, if one was signed in (null for the operator's command line).
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(|id| ID(id.to_string()))
    }
    /// The user's role at the time.
    async fn actor_role(&self) -> Result<Option<Role>> {
        self.0
            .actor_role
            .as_deref()
            .map(|r| stored::<domain::Role>(r).map(Into::into))
            .transpose()
    }
    /// The client's IP address.
    async fn client(&self) -> Option<&str> {
        self.0.client.as_deref()
    }
    /// A write or a read of personal data.
    async fn kind(&self) -> AuditKind {
        if self.0.kind == audit::READ {
            AuditKind::Read
        } else {
            AuditKind::Write
        }
    }
    /// The GraphQL field: the mutation, or the root fields of a read.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// What a correction changed, by field name (never the values), and the reason
    /// given: `fields: name, phone; reason: misspelt at registration`.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    /// The kind of record (`trainee`, `enrolment`, `certificate`, …).
    async fn record_type(&self) -> Option<&str> {
        self.0.record_type.as_deref()
    }
    /// The records' ids.
    async fn record_ids(&self) -> Vec<ID> {
        self.0
            .record_ids
            .as_deref()
            .map(|ids| ids.split(',').map(|id| ID(id.to_owned())).collect())
            .unwrap_or_default()
    }
}
