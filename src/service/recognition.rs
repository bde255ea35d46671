//! Recognitions: the organisations and persons counted against a programme's goals
//! (service institutions, bases and parks, enterprises launched, influential hosts).
//! One live recognition per organisation or person, goal and programme, enforced by the
//! unique index `recognition_live_key`; a withdrawn one may be recognised again.

use chrono::NaiveDate;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr,
};
use tracing::instrument;
use uuid::Uuid;

use super::page::{self, Page, PageRequest};
use super::{access, counting, now, programme};
use crate::auth::CurrentUser;
use crate::domain::{GoalKind, InstitutionKind, Subject, Title, ValidationError, programme_date};
use crate::entity::{institution, recognition, trainee};
use crate::error::AppError;

/// Input of [`recognise`].
#[derive(Debug)]
pub struct NewRecognition {
    /// The programme.
    pub programme_id: Uuid,
    /// The goal.
    pub kind: GoalKind,
    /// The organisation, for the organisation goals.
    pub institution_id: Option<Uuid>,
    /// The person, for INFLUENTIAL_HOSTS.
    pub trainee_id: Option<Uuid>,
    /// When it was recognised: within the period, not in the future.
    pub recognised_on: NaiveDate,
    /// What it rests on (a decision, a list, a document number).
    pub evidence: Title,
}

/// Narrows [`list`].
#[derive(Debug, Default)]
pub struct RecognitionFilter {
    /// Of this programme.
    pub programme_id: Option<Uuid>,
    /// For this goal.
    pub kind: Option<GoalKind>,
    /// Of institutions in this district (persons have none).
    pub district: Option<String>,
}

fn bad(field: &'static str, rule: &'static str) -> AppError {
    AppError::validation(field, ValidationError::InvalidFormat(rule))
}

/// Checks that the input names the subject its goal takes, and nothing else.
fn subject(input: &NewRecognition) -> Result<Subject, AppError> {
    let subject = input
        .kind
        .subject()
        .ok_or_else(|| bad("kind", "is not a goal met by recognitions"))?;
    let (wanted, unwanted) = match subject {
        Subject::Institution(_) => (
            ("institutionId", input.institution_id.is_some()),
            ("traineeId", input.trainee_id.is_some()),
        ),
        Subject::Trainee => (
            ("traineeId", input.trainee_id.is_some()),
            ("institutionId", input.institution_id.is_some()),
        ),
    };
    if unwanted.1 {
        return Err(bad(unwanted.0, "must not be given for this goal"));
    }
    if !wanted.1 {
        return Err(bad(wanted.0, "is required for this goal"));
    }
    Ok(subject)
}

/// Recognises an organisation or a person for a goal (CITY_ADMIN), counting it at once.
#[instrument(skip_all, fields(programme.id = %input.programme_id))]
pub async fn recognise(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewRecognition,
) -> Result<recognition::Model, AppError> {
    access::require_city_admin(actor)?;
    let subject = subject(&input)?;
    let txn = super::audit::write_transaction(db).await?;
    let found = programme::open(&txn, input.programme_id).await?;
    if input.recognised_on < found.starts_on || input.recognised_on > found.ends_on {
        return Err(bad("recognisedOn", "must be within the programme period"));
    }
    if input.recognised_on > programme_date(now()) {
        return Err(bad("recognisedOn", "must not be in the future"));
    }
    let field = check_subject(&txn, &input, subject).await?;
    let created = recognition::ActiveModel {
        id: Set(Uuid::now_v7()),
        programme_id: Set(input.programme_id),
        kind: Set(input.kind.as_str().to_owned()),
        institution_id: Set(input.institution_id),
        trainee_id: Set(input.trainee_id),
        recognised_on: Set(input.recognised_on),
        evidence: Set(input.evidence.as_str().to_owned()),
        recognised_by: Set(Some(actor.user_id)),
        created_at: Set(now()),
        withdrawn_at: Set(None),
        withdrawal_reason: Set(None),
        withdrawn_by: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::ConflictOn {
            field,
            message: "already recognised for this goal in this programme",
        },
        _ => AppError::Database(err),
    })?;
    counting::goals::changed(
        &txn,
        created.programme_id,
        input.kind,
        (created.recognised_on, created.recognised_on),
        1,
    )
    .await?;
    super::audit::wrote(&txn, actor, "recognise", "recognition", [created.id]).await?;
    super::commit(txn).await?;
    Ok(created)
}

/// Checks that the named institution or trainee exists and fits the goal; returns the
/// input field that names it.
async fn check_subject(
    db: &impl ConnectionTrait,
    input: &NewRecognition,
    subject: Subject,
) -> Result<&'static str, AppError> {
    match (subject, input.institution_id, input.trainee_id) {
        (Subject::Institution(kinds), Some(id), _) => {
            let found = institution::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("institution", id))?;
            let kind: InstitutionKind = found
                .kind
                .parse()
                .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored kind")))?;
            if !kinds.contains(&kind) {
                return Err(bad(
                    "institutionId",
                    "is an institution of a kind this goal does not count",
                ));
            }
            Ok("institutionId")
        }
        (Subject::Trainee, _, Some(id)) => {
            trainee::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("trainee", id))?;
            Ok("traineeId")
        }
        _ => Err(AppError::Internal(anyhow::anyhow!(
            "subject checked before"
        ))),
    }
}

/// Withdraws a live recognition (CITY_ADMIN): it stops counting at once and stays
/// listed with `withdrawnAt`; the reason goes to the audit trail.
#[instrument(skip_all, fields(recognition.id = %id))]
pub async fn withdraw(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: Uuid,
    reason: Title,
) -> Result<recognition::Model, AppError> {
    access::require_city_admin(actor)?;
    let txn = super::audit::write_transaction(db).await?;
    let at = now();
    // Conditional on being live, so two withdrawals at once count down once.
    let done = recognition::Entity::update_many()
        .col_expr(recognition::Column::WithdrawnAt, at.into())
        .col_expr(
            recognition::Column::WithdrawalReason,
            reason.as_str().to_owned().into(),
        )
        .col_expr(recognition::Column::WithdrawnBy, actor.user_id.into())
        .filter(recognition::Column::Id.eq(id))
        .filter(recognition::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    let row = recognition::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("recognition", id))?;
    if done.rows_affected == 0 {
        return Err(AppError::ConflictOn {
            field: "recognitionId",
            message: "this recognition is already withdrawn",
        });
    }
    super::programme::open(&txn, row.programme_id).await?;
    let kind: GoalKind = row
        .kind
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored goal kind")))?;
    let until = counting::as_of::recount::withdrawal_day(row.recognised_on, at);
    let days = (row.recognised_on, until);
    counting::goals::changed(&txn, row.programme_id, kind, days, -1).await?;
    super::audit::corrected(
        &txn,
        actor,
        "withdrawRecognition",
        "recognition",
        id,
        &["withdrawnAt"],
        reason.as_str(),
    )
    .await?;
    super::commit(txn).await?;
    Ok(row)
}

/// Recognitions, live and withdrawn, oldest first (city roles).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    filter: RecognitionFilter,
    page: PageRequest,
) -> Result<Page<recognition::Model>, AppError> {
    if !actor.role.is_city() {
        return Err(AppError::Forbidden);
    }
    let mut select = recognition::Entity::find();
    if let Some(id) = filter.programme_id {
        select = select.filter(recognition::Column::ProgrammeId.eq(id));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(recognition::Column::Kind.eq(kind.as_str()));
    }
    if let Some(district) = filter.district {
        select = select.filter(
            recognition::Column::InstitutionId.in_subquery(
                Query::select()
                    .column(institution::Column::Id)
                    .from(institution::Entity)
                    .and_where(institution::Column::District.eq(district))
                    .to_owned(),
            ),
        );
    }
    page::fetch(db, select, recognition::Column::Id, page).await
}
