//! Indicators: a programme's monthly figures of the goals that are measured rather than
//! counted (SALES_CNY). Recording a month again replaces it; the audit trail keeps every
//! value recorded.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use tracing::instrument;
use uuid::Uuid;

use super::{access, counting, now, programme};
use crate::auth::CurrentUser;
use crate::domain::{GoalKind, Month, Title, ValidationError, Yuan, programme_date};
use crate::entity::indicator;
use crate::error::AppError;

/// Input of [`record`].
#[derive(Debug)]
pub struct NewIndicator {
    /// The programme.
    pub programme_id: Uuid,
    /// The goal measured.
    pub kind: GoalKind,
    /// The month: within the period, not after the current month.
    pub month: Month,
    /// The month's figure.
    pub value: Yuan,
    /// Where the figure comes from.
    pub source: Title,
}

fn bad(field: &'static str, rule: &'static str) -> AppError {
    AppError::validation(field, ValidationError::InvalidFormat(rule))
}

/// Records (or replaces) a month's figure (CITY_ADMIN).
#[instrument(skip_all, fields(programme.id = %input.programme_id))]
pub async fn record(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewIndicator,
) -> Result<indicator::Model, AppError> {
    access::require_city_admin(actor)?;
    if input.kind != GoalKind::SalesCny {
        return Err(bad(
            "kind",
            "is not a goal recorded by month (only SALES_CNY)",
        ));
    }
    let txn = super::audit::write_transaction(db).await?;
    let found = programme::open(&txn, input.programme_id).await?;
    if input.month.last_day() < found.starts_on || input.month.first_day() > found.ends_on {
        return Err(bad("month", "must be within the programme period"));
    }
    if input.month > Month::of(programme_date(now())) {
        return Err(bad("month", "must not be after the current month"));
    }
    // The goal's counter row first: recorders of one programme's sales take turns, and
    // each reads the month as the previous one left it.
    counting::goals::lock(&txn, found.id, input.kind).await?;
    let key = (found.id, input.kind.as_str(), input.month.as_string());
    let previous = indicator::Entity::find_by_id((key.0, key.1.to_owned(), key.2.clone()))
        .one(&txn)
        .await?;
    let row = indicator::ActiveModel {
        programme_id: Set(key.0),
        kind: Set(key.1.to_owned()),
        month: Set(key.2.clone()),
        value_fen: Set(input.value.fen()),
        source: Set(input.source.as_str().to_owned()),
        recorded_at: Set(now()),
        recorded_by: Set(Some(actor.user_id)),
    };
    indicator::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                indicator::Column::ProgrammeId,
                indicator::Column::Kind,
                indicator::Column::Month,
            ])
            .update_columns([
                indicator::Column::ValueFen,
                indicator::Column::Source,
                indicator::Column::RecordedAt,
                indicator::Column::RecordedBy,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let old = previous.as_ref().map_or(0, |p| p.value_fen);
    counting::goals::changed(
        &txn,
        found.id,
        input.kind,
        (input.month.first_day(), input.month.first_day()),
        input.value.fen() - old,
    )
    .await?;
    let was = previous.map_or_else(
        || "none".to_owned(),
        |p| format!("{:.2}", Yuan::from_fen(p.value_fen).yuan()),
    );
    let detail = format!(
        "{} {}: {:.2} CNY, was {was}; source: {}",
        key.1,
        key.2,
        input.value.yuan(),
        input.source.as_str()
    );
    super::audit::wrote_detail(
        &txn,
        actor,
        "recordIndicator",
        "programme",
        [found.id],
        detail,
    )
    .await?;
    super::commit(txn).await?;
    indicator::Entity::find_by_id((key.0, key.1.to_owned(), key.2))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("indicator just written is missing")))
}

/// A programme's indicators, by month (city roles); `kind` narrows to one goal.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    programme_id: Uuid,
    kind: Option<GoalKind>,
) -> Result<Vec<indicator::Model>, AppError> {
    if !actor.role.is_city() {
        return Err(AppError::Forbidden);
    }
    programme::get(db, programme_id).await?;
    let mut select =
        indicator::Entity::find().filter(indicator::Column::ProgrammeId.eq(programme_id));
    if let Some(kind) = kind {
        select = select.filter(indicator::Column::Kind.eq(kind.as_str()));
    }
    Ok(select
        .order_by_asc(indicator::Column::Kind)
        .order_by_asc(indicator::Column::Month)
        .all(db)
        .await?)
}
