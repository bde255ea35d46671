//! National credentials (`recordSkillCertificate`): a skill-level or special-ability
//! certificate an evaluation organisation issued, recorded with the assessment behind it.
//!
//! A certificate here always belongs to an enrolment in a course, so a national credential
//! is recorded as what it was: the person sat the evaluation organisation's assessment
//! (an assessment course of that organisation, made for this one certificate, dated by
//! the issue day) and passed it. The assessment goes through the same counting as any
//! enrolment and result, so every count stays exact.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set, SqlErr,
};
use tracing::instrument;
use uuid::Uuid;

use super::counting::{self, Finish, Tally, Undo};
use super::{access, admission, audit, institution, now, trainee};
use crate::auth::CurrentUser;
use crate::domain::{
    CredentialKind, EnrolmentStatus, NationalNumber, OCCUPATION_CODE, Role, SkillLevel,
    SkillSubtype, ValidationError, programme_date,
};
use crate::entity::{certificate, course, enrolment, institution as institution_entity};
use crate::error::{AppError, OnField};

/// A national credential to record, as parsed at the edge.
#[derive(Debug)]
pub struct NewCredential {
    /// The holder.
    pub trainee_id: Uuid,
    /// SKILL_LEVEL or SPECIAL_ABILITY.
    pub kind: CredentialKind,
    /// The sub-type (工种).
    pub subtype: SkillSubtype,
    /// A level the standard sets for the sub-type.
    pub level: SkillLevel,
    /// The national number, checked against the issue day and the level.
    pub national_number: NationalNumber,
    /// The issue day, not in the future.
    pub issued_on: NaiveDate,
    /// The evaluation organisation: required of CITY_ADMIN, the caller's own otherwise.
    pub institution_id: Option<Uuid>,
}

/// Records a national credential: by a user of an evaluation organisation for a person
/// it owns (registered or enrolled), or by CITY_ADMIN for anyone, naming the
/// organisation. A number recorded already is `CONFLICT` on `nationalNumber`.
#[instrument(skip_all, fields(trainee.id = %input.trainee_id))]
pub async fn record(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: NewCredential,
) -> Result<certificate::Model, AppError> {
    if input.kind == CredentialKind::TrainingCompletion {
        return Err(AppError::validation(
            "kind",
            ValidationError::InvalidFormat(
                "must be SKILL_LEVEL or SPECIAL_ABILITY: completion certificates are issued by completing an enrolment",
            ),
        ));
    }
    let evaluator = evaluator(db, actor, input.institution_id).await?;
    trainee::get_visible(db, actor, input.trainee_id).await?;
    let txn = audit::write_transaction(db).await?;
    let course = assessment_course(&txn, &evaluator, &input).await?;
    let mut tally = Tally::new();
    let admitted = admission::admit(
        &txn,
        &mut tally,
        actor,
        "recordSkillCertificate",
        &course,
        &evaluator.district,
        &[input.trainee_id],
        None,
    )
    .await?
    .into_iter()
    .flatten()
    .next()
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("assessment enrolment not made")))?;
    let passed = pass(&txn, &admitted.enrolment, input.issued_on).await?;
    counting::finished(
        &txn,
        &mut tally,
        &course,
        &evaluator.district,
        &[Finish {
            trainee_id: input.trainee_id,
            passed_on: Some(input.issued_on),
        }],
    )
    .await?;
    let cert = insert(&txn, &passed, &course, &input).await?;
    let certs = std::slice::from_ref(&cert);
    counting::certified(&txn, &mut tally, certs, &evaluator.district).await?;
    audit::wrote_with(
        &mut tally,
        actor,
        "recordSkillCertificate",
        "certificate",
        [cert.id],
    );
    let undo = Undo {
        finished: HashSet::from([passed.id]),
        issued: HashSet::from([cert.id]),
        ..Undo::default()
    };
    tally.touched([input.trainee_id], undo);
    tally.send(&txn).await?;
    super::commit(txn).await?;
    Ok(cert)
}

/// The evaluation organisation the caller records for. An institution user records for
/// its own institution, if it is an evaluator (else `FORBIDDEN`; another institution's
/// id is an unknown one); CITY_ADMIN names one (`institutionId`).
async fn evaluator(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    named: Option<Uuid>,
) -> Result<institution_entity::Model, AppError> {
    match actor.role {
        Role::CityAdmin => {
            let id = named.ok_or(AppError::Validation {
                field: "institutionId",
                source: ValidationError::InvalidFormat(
                    "is required: name the evaluation organisation that issued the certificate",
                ),
            })?;
            let found = institution::get(db, id).await?;
            if !found.evaluator {
                return Err(AppError::validation(
                    "institutionId",
                    ValidationError::InvalidFormat("is not an evaluation organisation"),
                ));
            }
            Ok(found)
        }
        Role::InstitutionAdmin | Role::InstitutionStaff => {
            let own = access::own_institution(actor)?;
            if let Some(id) = named {
                access::require_owner(actor, id, "institution", id)?;
            }
            let found = institution::get(db, own).await?;
            if found.evaluator {
                Ok(found)
            } else {
                Err(AppError::Forbidden)
            }
        }
        _ => Err(AppError::Forbidden),
    }
}

/// Opens the assessment course behind the credential: one per certificate, so a
/// certificate revoked as recorded in error can be recorded again correctly.
async fn assessment_course(
    db: &impl ConnectionTrait,
    evaluator: &institution_entity::Model,
    input: &NewCredential,
) -> Result<course::Model, AppError> {
    let at = now();
    let what = match input.kind {
        CredentialKind::SpecialAbility => "专项职业能力考核",
        _ => "职业技能等级认定",
    };
    Ok(course::ActiveModel {
        id: Set(Uuid::now_v7()),
        institution_id: Set(evaluator.id),
        title: Set(format!(
            "{what}：互联网营销师（{}）{}级",
            input.subtype.chinese(),
            input.level.get()
        )),
        track: Set(input.subtype.track().as_str().to_owned()),
        level: Set(Some(i32::from(input.level.get()))),
        // The exam, not training: the standard's hours do not apply (meetsStandardHours null).
        hours: Set(1),
        capacity: Set(None),
        starts_on: Set(Some(input.issued_on)),
        ends_on: Set(Some(input.issued_on)),
        enrolled_count: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        subtype: Set(Some(input.subtype.as_str().to_owned())),
        assessment: Set(true),
    }
    .insert(db)
    .await?)
}

/// Completes the assessment enrolment as passed on the issue day.
async fn pass(
    db: &impl ConnectionTrait,
    enrolment: &enrolment::Model,
    issued_on: NaiveDate,
) -> Result<enrolment::Model, AppError> {
    let at = now();
    enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::Status,
            Expr::value(EnrolmentStatus::Completed.as_str()),
        )
        .col_expr(enrolment::Column::AssessedOn, Expr::value(issued_on))
        .col_expr(enrolment::Column::CompletedAt, Expr::value(at))
        .col_expr(
            enrolment::Column::CompletedOn,
            Expr::value(programme_date(at)),
        )
        .col_expr(enrolment::Column::UpdatedAt, Expr::value(at))
        .filter(enrolment::Column::Id.eq(enrolment.id))
        .exec(db)
        .await?;
    Ok(enrolment::Model {
        status: EnrolmentStatus::Completed.as_str().to_owned(),
        assessed_on: Some(issued_on),
        completed_at: Some(at),
        completed_on: Some(programme_date(at)),
        updated_at: at,
        ..enrolment.clone()
    })
}

/// Inserts the certificate; its number is the national number, unique twice over
/// (`certificate_number_key`, `certificate_national_number_key`).
async fn insert(
    db: &impl ConnectionTrait,
    enrolment: &enrolment::Model,
    course: &course::Model,
    input: &NewCredential,
) -> Result<certificate::Model, AppError> {
    let at = now();
    let number = input.national_number.as_str().to_owned();
    let row = certificate::Model {
        id: Uuid::now_v7(),
        number: number.clone(),
        enrolment_id: enrolment.id,
        trainee_id: input.trainee_id,
        course_id: course.id,
        institution_id: course.institution_id,
        track: course.track.clone(),
        level: course.level,
        issued_at: at,
        issued_on: input.issued_on,
        expires_at: None,
        revoked_at: None,
        revocation_reason: None,
        revoked_by: None,
        created_at: at,
        updated_at: at,
        kind: input.kind.as_str().to_owned(),
        occupation_code: Some(OCCUPATION_CODE.to_owned()),
        subtype: Some(input.subtype.as_str().to_owned()),
        national_number: Some(number),
    };
    match certificate::Entity::insert(super::certificate::active(row.clone()))
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(AppError::ConflictOn {
            field: "nationalNumber",
            message: "is recorded already: a national number belongs to one certificate",
        }),
        Err(err) => Err(err.into()),
    }
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Parses the level against the sub-type's levels (`BAD_USER_INPUT` on `level`) and the
/// number against the issue day and level (on `nationalNumber`).
pub fn parse_number(
    subtype: SkillSubtype,
    level: i32,
    number: &str,
    issued_on: NaiveDate,
) -> Result<(SkillLevel, NationalNumber), AppError> {
    let level = SkillLevel::parse(subtype, level).on("level")?;
    let number = NationalNumber::parse(number, issued_on, level.get()).on("nationalNumber")?;
    Ok((level, number))
}
