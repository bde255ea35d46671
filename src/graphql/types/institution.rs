//! `Institution`.

use async_graphql::{ID, Object, Result};

use super::{InstitutionKind, stored};
use crate::domain;
use crate::entity::institution;

/// An organisation that runs courses and issues certificates.
pub struct Institution(pub institution::Model);

impl From<institution::Model> for Institution {
    fn from(model: institution::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Institution {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Registered name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Unified social credit code (统一社会信用代码).
    async fn credit_code(&self) -> &str {
        &self.0.credit_code
    }
    /// District of the institution (English name); breakdowns by district use it.
    async fn district(&self) -> &str {
        &self.0.district
    }
    /// Kind of organisation.
    async fn kind(&self) -> Result<InstitutionKind> {
        stored::<domain::InstitutionKind>(&self.0.kind).map(Into::into)
    }
    /// An evaluation organisation (评价机构): its users record skill certificates.
    async fn evaluator(&self) -> bool {
        self.0.evaluator
    }
}
