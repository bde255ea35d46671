//! Activation codes: the one-time secret with which a registered person creates their
//! TRAINEE account. Issued with a new person and again on request, stored as a digest
//! with its issue time; a code older than `TALENT_ACTIVATION_TTL_DAYS` answers as an
//! invalid one.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::rate_limit::Clock;
use super::{Deps, access, audit, now, trainee};
use crate::auth::{CurrentUser, new_secret, secret_digest};
use crate::entity::{trainee as trainee_row, user};
use crate::error::AppError;

/// A freshly issued code: shown once, stored as `digest` with `issued_at`.
#[derive(Debug)]
pub struct IssuedCode {
    /// The code, for the person.
    pub code: String,
    /// Its stored form.
    pub digest: String,
    /// When it was issued, by the app's clock.
    pub issued_at: DateTime<Utc>,
}

impl IssuedCode {
    /// A new random code issued now.
    pub fn new(clock: &Clock) -> Self {
        let code = new_secret();
        Self {
            digest: secret_digest(&code),
            code,
            issued_at: clock.utc_now(),
        }
    }
}

/// The earliest issue time of a code that still works.
pub fn oldest_valid(deps: &Deps) -> DateTime<Utc> {
    deps.clock.utc_now() - deps.activation_ttl
}

/// A reissued code of a trainee.
#[derive(Debug)]
pub struct Reissued {
    /// The person.
    pub trainee: trainee_row::Model,
    /// The new code; the previous one no longer works.
    pub code: String,
    /// When the new code stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues a new activation code for a trainee the caller's institution owns, replacing
/// the previous one. Another institution's trainee is answered as an unknown one; a
/// trainee who already has an account is a `Conflict`.
#[instrument(skip_all, fields(trainee.id = %trainee_id))]
pub async fn reissue(
    deps: &Deps,
    actor: &CurrentUser,
    trainee_id: Uuid,
) -> Result<Reissued, AppError> {
    access::own_institution(actor)?;
    trainee::get_visible(&deps.db, actor, trainee_id).await?;
    let issued = IssuedCode::new(&deps.clock);
    let txn = deps.db.begin().await?;
    // The write comes first and locks the row: an activation racing with it either
    // committed before (its account is seen below) or finds its code replaced.
    let person = trainee_row::Entity::update_many()
        .col_expr(
            trainee_row::Column::ActivationCodeHash,
            Some(issued.digest.clone()).into(),
        )
        .col_expr(
            trainee_row::Column::ActivationCodeIssuedAt,
            Some(issued.issued_at).into(),
        )
        .col_expr(trainee_row::Column::UpdatedAt, now().into())
        .filter(trainee_row::Column::Id.eq(trainee_id))
        .exec_with_returning(&txn)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("trainee", trainee_id))?;
    if has_account(&txn, trainee_id).await? {
        return Err(AppError::Conflict("this trainee already has an account"));
    }
    audit::wrote(
        &txn,
        actor,
        "reissueActivationCode",
        "trainee",
        [trainee_id],
    )
    .await?;
    super::commit(txn).await?;
    Ok(Reissued {
        trainee: person,
        expires_at: issued.issued_at + deps.activation_ttl,
        code: issued.code,
    })
}

async fn has_account(db: &impl ConnectionTrait, trainee_id: Uuid) -> Result<bool, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::TraineeId.eq(trainee_id))
        .count(db)
        .await?
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_stored_as_its_digest_with_the_clock_time() {
        let clock = Clock::system();
        clock.advance(std::time::Duration::from_secs(86_400));
        let issued = IssuedCode::new(&clock);
        assert_eq!(issued.digest, secret_digest(&issued.code));
        assert!(issued.issued_at > now() + chrono::Duration::hours(23));
    }
}
