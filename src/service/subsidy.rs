//! The skill-upgrade subsidy (技能提升补贴): `subsidyEligibility`, decided from the
//! certificates and the claims paid, never stored; `recordSubsidyClaim`, what the city paid.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Set, SqlErr,
};
use tracing::instrument;
use uuid::Uuid;

use super::counting::sql;
use super::{access, audit, certificate as certificates, now, trainee};
use crate::auth::CurrentUser;
use crate::domain::{
    Claimable, Decision, PaidClaim, Role, Rule, SkillSubtype, SubsidyPolicy, ValidationError,
    decide,
};
use crate::entity::{certificate, subsidy_claim};
use crate::error::AppError;

/// A paid subsidy to record, as parsed at the edge.
#[derive(Debug)]
pub struct NewClaim {
    /// The certificate it was paid on.
    pub certificate_id: Uuid,
    /// The day it was paid, not in the future.
    pub paid_on: NaiveDate,
    /// Yuan paid, above 0.
    pub amount_cny: i32,
}

/// Whether each certificate of the trainee may be claimed today, with every rule: the
/// trainee themself, users of an institution that owns the trainee, CITY_ADMIN; others
/// `FORBIDDEN` (another institution's trainee is an unknown one).
pub async fn eligibility(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    policy: &SubsidyPolicy,
    trainee_id: Uuid,
    today: NaiveDate,
) -> Result<Vec<(certificate::Model, Decision)>, AppError> {
    if !matches!(
        actor.role,
        Role::CityAdmin | Role::InstitutionAdmin | Role::InstitutionStaff | Role::Trainee
    ) {
        return Err(AppError::Forbidden);
    }
    trainee::get_visible(db, actor, trainee_id).await?;
    let claims = paid(db, trainee_id).await?;
    certificates::of_trainees(db, &[trainee_id], None)
        .await?
        .into_iter()
        .map(|cert| {
            let decision = decide(&claimable(&cert)?, today, &claims, policy);
            Ok((cert, decision))
        })
        .collect()
}

/// Records a subsidy the city paid (CITY_ADMIN) on `paidOn`, when the certificate is
/// eligible that day and the amount is at most its level's. The person's trainee row is
/// locked first, so two claims for one person (and a revocation) take turns and the
/// once-per-level rule and the yearly limit hold under concurrency;
/// `subsidy_claim_level_key` backs the first.
#[instrument(skip_all, fields(certificate.id = %input.certificate_id))]
pub async fn record(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    policy: &SubsidyPolicy,
    input: NewClaim,
) -> Result<(subsidy_claim::Model, certificate::Model), AppError> {
    access::require_city_admin(actor)?;
    let holder = certificate::Entity::find_by_id(input.certificate_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certificate", input.certificate_id))?
        .trainee_id;
    let txn = audit::write_transaction(db).await?;
    lock_person(&txn, holder).await?;
    let cert = certificate::Entity::find_by_id(input.certificate_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("certificate", input.certificate_id))?;
    let claims = paid(&txn, holder).await?;
    let decision = decide(&claimable(&cert)?, input.paid_on, &claims, policy);
    if let Some(failed) = decision.first_failure() {
        return Err(refusal(failed.rule));
    }
    if decision.amount.is_some_and(|max| input.amount_cny > max) {
        return Err(AppError::validation(
            "amountCny",
            ValidationError::InvalidFormat(
                "is more than the amount set for the certificate's level",
            ),
        ));
    }
    let claim = subsidy_claim::ActiveModel {
        id: Set(Uuid::now_v7()),
        certificate_id: Set(cert.id),
        trainee_id: Set(holder),
        subtype: Set(cert.subtype.clone().unwrap_or_default()),
        level: Set(cert.level.unwrap_or_default()),
        paid_on: Set(input.paid_on),
        amount_cny: Set(input.amount_cny),
        recorded_by: Set(actor.user_id),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await
    .map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => refusal(Rule::NotClaimedAtThisOrHigherLevel),
        _ => AppError::from(err),
    })?;
    audit::wrote(
        &txn,
        actor,
        "recordSubsidyClaim",
        "subsidy_claim",
        [claim.id],
    )
    .await?;
    super::commit(txn).await?;
    Ok((claim, cert))
}

/// The error of a failed rule: the field to fix, `BAD_USER_INPUT` for what the input
/// got wrong, `CONFLICT` for what the records already hold.
fn refusal(rule: Rule) -> AppError {
    let invalid =
        |field, message| AppError::validation(field, ValidationError::InvalidFormat(message));
    match rule {
        Rule::SkillLevel => invalid(
            "certificateId",
            "is not a skill-level certificate: the subsidy is paid on skill-level certificates only",
        ),
        Rule::NotRevoked => AppError::ConflictOn {
            field: "certificateId",
            message: "names a revoked certificate",
        },
        Rule::WithinTwelveMonths => invalid(
            "paidOn",
            "must lie within 12 months from the certificate's issue (subsidyEligibility's claimBy)",
        ),
        Rule::NotClaimedAtThisOrHigherLevel => AppError::ConflictOn {
            field: "certificateId",
            message: "a subsidy was paid to the person for this sub-type at this or a higher level",
        },
        Rule::YearlyLimit => AppError::ConflictOn {
            field: "paidOn",
            message: "the person has had every subsidy allowed in that calendar year",
        },
        Rule::AmountForLevel => invalid(
            "certificateId",
            "has a level for which no subsidy amount is set",
        ),
    }
}

/// Takes the person's trainee row until the end of the transaction (PostgreSQL; on
/// SQLite the immediate transaction holds the one write lock already). `FOR NO KEY
/// UPDATE`, as the counting does, so foreign-key checks of other writers do not wait.
async fn lock_person(db: &impl ConnectionTrait, trainee: Uuid) -> Result<(), AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        sql::query(
            db,
            "SELECT id FROM trainee WHERE id = ? FOR NO KEY UPDATE",
            vec![trainee.into()],
        )
        .await?;
    }
    Ok(())
}

/// The subsidies paid to a person.
async fn paid(db: &impl ConnectionTrait, trainee: Uuid) -> Result<Vec<PaidClaim>, AppError> {
    subsidy_claim::Entity::find()
        .filter(subsidy_claim::Column::TraineeId.eq(trainee))
        .order_by_asc(subsidy_claim::Column::PaidOn)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            Ok(PaidClaim {
                subtype: stored(&c.subtype)?,
                level: u8::try_from(c.level).map_err(|_| bad("subsidy level"))?,
                paid_on: c.paid_on,
            })
        })
        .collect()
}

/// The certificate as the subsidy rules see it.
fn claimable(cert: &certificate::Model) -> Result<Claimable, AppError> {
    Ok(Claimable {
        kind: stored(&cert.kind)?,
        subtype: cert
            .subtype
            .as_deref()
            .map(stored::<SkillSubtype>)
            .transpose()?,
        level: cert.level.and_then(|l| u8::try_from(l).ok()),
        issued_on: cert.issued_on,
        revoked: cert.revoked_at.is_some(),
    })
}

fn stored<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| bad(raw))
}

fn bad(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("unexpected stored value {what:?}"))
}
