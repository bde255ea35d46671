//! Certificates: issued on passing, revoked with a reason, verified publicly, and read.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::counting::{Tally, Undo};
use super::{access, now};
use crate::auth::CurrentUser;
use crate::domain::{CertificateNumber, CredentialKind, PersonName, Role, Title, Track};
use crate::entity::{certificate, course, enrolment, institution, trainee};
use crate::error::AppError;

/// Attempts at a fresh number; a clash of 50 random bits is already vanishingly rare.
const NUMBER_ATTEMPTS: usize = 4;
/// Rows per multi-row statement: well under both engines' bind-parameter limits.
const CHUNK: usize = 1000;

/// A certificate to issue: for a passed enrolment, dated by its assessment.
#[derive(Debug)]
pub struct ToIssue<'a> {
    /// The passed enrolment.
    pub enrolment: &'a enrolment::Model,
    /// The assessment day: the certificate's `issued_on`, the day every count uses.
    pub issued_on: NaiveDate,
    /// Expiry, if the certificate has one.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Issues the certificates of passed enrolments of `course` at `at`, inside the
/// completing transaction, in multi-row statements.
pub async fn issue(
    db: &impl ConnectionTrait,
    course: &course::Model,
    passed: &[ToIssue<'_>],
    at: DateTime<Utc>,
) -> Result<Vec<certificate::Model>, AppError> {
    let track: Track = course
        .track
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored track")))?;
    let mut waiting: Vec<&ToIssue<'_>> = passed.iter().collect();
    let mut issued = Vec::with_capacity(passed.len());
    for _ in 0..NUMBER_ATTEMPTS {
        let rows: Vec<certificate::Model> = waiting
            .iter()
            .map(|p| certificate::Model {
                id: Uuid::now_v7(),
                number: CertificateNumber::generate(track, p.issued_on.year(), rand::random())
                    .as_str()
                    .to_owned(),
                enrolment_id: p.enrolment.id,
                trainee_id: p.enrolment.trainee_id,
                course_id: course.id,
                institution_id: course.institution_id,
                track: course.track.clone(),
                level: course.level,
                issued_at: at,
                issued_on: p.issued_on,
                expires_at: p.expires_at,
                revoked_at: None,
                revocation_reason: None,
                revoked_by: None,
                created_at: at,
                updated_at: at,
                kind: CredentialKind::TrainingCompletion.as_str().to_owned(),
                occupation_code: None,
                subtype: None,
                national_number: None,
            })
            .collect();
        let mut inserted: HashSet<Uuid> = HashSet::new();
        for chunk in rows.chunks(CHUNK) {
            // A clash of numbers skips the row; it gets a fresh number next round.
            match certificate::Entity::insert_many(chunk.iter().cloned().map(active))
                .on_conflict(
                    OnConflict::column(certificate::Column::Number)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_with_returning_keys(db)
                .await
            {
                Ok(keys) => inserted.extend(keys),
                Err(DbErr::RecordNotInserted) => {}
                Err(err) => return Err(err.into()),
            }
        }
        let mut done: HashSet<Uuid> = HashSet::new();
        for row in rows {
            if inserted.contains(&row.id) {
                done.insert(row.enrolment_id);
                issued.push(row);
            }
        }
        waiting.retain(|p| !done.contains(&p.enrolment.id));
        if waiting.is_empty() {
            // The rows as written, without reading them back.
            return Ok(issued);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free certificate number after {NUMBER_ATTEMPTS} attempts"
    )))
}

/// The row to insert for `c`.
pub(super) fn active(c: certificate::Model) -> certificate::ActiveModel {
    certificate::ActiveModel {
        id: Set(c.id),
        number: Set(c.number),
        enrolment_id: Set(c.enrolment_id),
        trainee_id: Set(c.trainee_id),
        course_id: Set(c.course_id),
        institution_id: Set(c.institution_id),
        track: Set(c.track),
        level: Set(c.level),
        issued_at: Set(c.issued_at),
        issued_on: Set(c.issued_on),
        expires_at: Set(c.expires_at),
        revoked_at: Set(c.revoked_at),
        revocation_reason: Set(c.revocation_reason),
        revoked_by: Set(c.revoked_by),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        kind: Set(c.kind),
        occupation_code: Set(c.occupation_code),
        subtype: Set(c.subtype),
        national_number: Set(c.national_number),
    }
}

/// The certificate numbered `number`, or `NotFound`.
pub async fn get(db: &impl ConnectionTrait, number: &str) -> Result<certificate::Model, AppError> {
    certificate::Entity::find()
        .filter(certificate::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certificate", number))
}

/// Revokes a certificate: CITY_ADMIN any, INSTITUTION_ADMIN those its institution
/// issued. Idempotent: revoking again keeps the first reason, time and revoker.
#[instrument(skip_all, fields(certificate.number = %number.as_str()))]
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    number: &CertificateNumber,
    reason: Title,
) -> Result<certificate::Model, AppError> {
    if !matches!(actor.role, Role::CityAdmin | Role::InstitutionAdmin) {
        return Err(AppError::Forbidden);
    }
    let found = get(db, number.as_str()).await?;
    if actor.role == Role::InstitutionAdmin {
        access::require_owner(actor, found.institution_id, "certificate", number.as_str())?;
    }
    let district = super::counting::district_of(db, found.institution_id).await?;
    let at = now();
    let txn = db.begin().await?;
    let changed = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(at))
        .col_expr(
            certificate::Column::RevocationReason,
            Expr::value(reason.as_str()),
        )
        .col_expr(certificate::Column::RevokedBy, Expr::value(actor.user_id))
        .col_expr(certificate::Column::UpdatedAt, Expr::value(at))
        .filter(certificate::Column::Id.eq(found.id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let after = get(&txn, number.as_str()).await?;
    let mut tally = Tally::new();
    if changed.rows_affected == 1 {
        super::counting::revoked(&txn, &mut tally, &after, &district).await?;
        let undo = Undo {
            revoked: HashSet::from([after.id]),
            ..Undo::default()
        };
        tally.touched([after.trainee_id], undo);
    }
    super::audit::wrote_with(
        &mut tally,
        actor,
        "revokeCertificate",
        "certificate",
        [after.id],
    );
    tally.send(&txn).await?;
    super::commit(txn).await?;
    Ok(after)
}

/// What the public may learn of a certificate whose number and holder name match.
#[derive(Debug)]
pub struct Verified {
    /// The certificate.
    pub certificate: certificate::Model,
    /// The holder's name, masked.
    pub holder_name_masked: String,
    /// The issuing institution's name.
    pub issuer: String,
}

/// Looks a certificate up by number and holder name. An unknown number and a wrong name
/// give the same `None`, so the answer reveals nothing about either.
pub async fn verify(
    db: &impl ConnectionTrait,
    number: &str,
    holder_name: &str,
) -> Result<Option<Verified>, AppError> {
    let (Ok(number), Ok(claimed)) = (
        CertificateNumber::parse(number),
        PersonName::parse(holder_name),
    ) else {
        return Ok(None);
    };
    let Some((found, Some(holder))) = certificate::Entity::find()
        .filter(certificate::Column::Number.eq(number.as_str()))
        .find_also_related(trainee::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Ok(name) = PersonName::parse(&holder.name) else {
        return Ok(None);
    };
    if !name.matches(&claimed) {
        return Ok(None);
    }
    let issuer = institution::Entity::find_by_id(found.institution_id)
        .one(db)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    Ok(Some(Verified {
        certificate: found,
        holder_name_masked: name.masked(),
        issuer,
    }))
}

/// Certificates of the signed-in TRAINEE.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
) -> Result<Vec<certificate::Model>, AppError> {
    let trainee_id = actor.trainee_id.ok_or(AppError::Forbidden)?;
    of_trainees(db, &[trainee_id], None).await
}

/// Certificates held by the given trainees, oldest first; only those `institution`
/// issued when set.
pub async fn of_trainees(
    db: &impl ConnectionTrait,
    trainee_ids: &[Uuid],
    institution: Option<Uuid>,
) -> Result<Vec<certificate::Model>, AppError> {
    let mut select = certificate::Entity::find()
        .filter(certificate::Column::TraineeId.is_in(trainee_ids.iter().copied()));
    if let Some(institution) = institution {
        select = select.filter(certificate::Column::InstitutionId.eq(institution));
    }
    Ok(select.order_by_asc(certificate::Column::Id).all(db).await?)
}

/// Certificates of the given enrolments.
pub async fn of_enrolments(
    db: &impl ConnectionTrait,
    enrolment_ids: &[Uuid],
) -> Result<Vec<certificate::Model>, AppError> {
    let mut out = Vec::with_capacity(enrolment_ids.len());
    for chunk in enrolment_ids.chunks(CHUNK) {
        out.extend(
            certificate::Entity::find()
                .filter(certificate::Column::EnrolmentId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(out)
}
