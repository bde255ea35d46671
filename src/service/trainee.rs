//! Trainees: registration with person dedup, ownership by institutions, scoped reads.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use tracing::instrument;
use uuid::Uuid;

use super::activation::IssuedCode;
use super::counting::sql::Batch;
use super::page::{self, Page, PageRequest};
use super::pii::PiiKey;
use super::rate_limit::Clock;
use super::{Deps, access, now};
use crate::auth::CurrentUser;
use crate::domain::{
    District, DistrictList, IdDocument, IdType, PersonName, PhoneNumber, Role, Title,
};
use crate::entity::{trainee, trainee_institution};
use crate::error::{AppError, OnField};

/// Input of [`register`].
#[derive(Debug)]
pub struct NewTrainee {
    /// Full name.
    pub name: PersonName,
    /// Identity document.
    pub document: IdDocument,
    /// Mobile phone.
    pub phone: Option<PhoneNumber>,
    /// District of residence.
    pub district: Option<District>,
}

impl NewTrainee {
    /// Validates a person's raw fields against the configured districts. Errors name the
    /// field as `RegisterTraineeInput` does (`name`, `idNumber`, `phone`, `district`).
    pub fn parse(
        name: &str,
        id_type: IdType,
        id_number: &str,
        phone: Option<&str>,
        district: Option<&str>,
        districts: &DistrictList,
    ) -> Result<Self, AppError> {
        Ok(Self {
            name: PersonName::parse(name).on("name")?,
            document: IdDocument::parse(id_type, id_number).on("idNumber")?,
            phone: phone.map(PhoneNumber::parse).transpose().on("phone")?,
            district: district
                .map(|d| districts.parse(d))
                .transpose()
                .on("district")?,
        })
    }
}

impl NewTrainee {
    /// The new row of this person: `digest` is the document's keyed hash, `code` the
    /// activation code issued with it.
    pub fn row(&self, digest: &str, code: &IssuedCode, at: DateTime<Utc>) -> trainee::ActiveModel {
        trainee::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(self.name.as_str().to_owned()),
            id_type: Set(self.document.id_type().as_str().to_owned()),
            id_hash: Set(digest.to_owned()),
            id_masked: Set(self.document.masked()),
            phone: Set(self.phone.as_ref().map(|p| p.as_str().to_owned())),
            district: Set(self.district.as_ref().map(|d| d.as_str().to_owned())),
            activation_code_hash: Set(Some(code.digest.clone())),
            activation_code_issued_at: Set(Some(code.issued_at)),
            created_at: Set(at),
            updated_at: Set(at),
        }
    }
}

/// Inserts the people of `rows` not registered yet (a known document is skipped by the
/// unique key, never duplicated); returns how many were inserted.
pub async fn insert_new(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = trainee::ActiveModel>,
) -> Result<u64, AppError> {
    Ok(trainee::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(trainee::Column::IdHash)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?)
}

/// Result of [`register`].
#[derive(Debug)]
pub struct Registered {
    /// The person, new or found.
    pub trainee: trainee::Model,
    /// True when this call created the person.
    pub created: bool,
    /// One-time code for the trainee's own account; only when created.
    pub activation_code: Option<String>,
}

/// Filters of [`list`].
#[derive(Debug, Default)]
pub struct TraineeFilter {
    /// Only persons this institution owns.
    pub institution_id: Option<Uuid>,
    /// Only persons living in this district.
    pub district: Option<District>,
    /// Only the holder of this document.
    pub document: Option<IdDocument>,
}

/// Registers a person for the caller's institution. The same document from any
/// institution yields the same trainee (`created: false`); the caller's institution then
/// owns it too.
#[instrument(skip_all, fields(institution.id = ?actor.institution_id))]
pub async fn register(
    deps: &Deps,
    actor: &CurrentUser,
    input: NewTrainee,
) -> Result<Registered, AppError> {
    let institution_id = access::own_institution(actor)?;
    let txn = deps.db.begin().await?;
    let registered = register_in(&txn, &deps.pii, &deps.clock, institution_id, input).await?;
    super::audit::wrote(
        &txn,
        actor,
        "registerTrainee",
        "trainee",
        [registered.trainee.id],
    )
    .await?;
    super::commit(txn).await?;
    Ok(registered)
}

/// [`register`] inside the caller's transaction (bulk enrolment reuses it).
pub async fn register_in(
    db: &impl ConnectionTrait,
    pii: &PiiKey,
    clock: &Clock,
    institution_id: Uuid,
    input: NewTrainee,
) -> Result<Registered, AppError> {
    let id_hash = pii.digest(&input.document);
    let code = IssuedCode::new(clock);
    let at = now();
    // Insert-or-ignore on the dedup key, then read: no check-then-insert race.
    let created = insert_new(db, [input.row(&id_hash, &code, at)]).await? == 1;
    let trainee = trainee::Entity::find()
        .filter(trainee::Column::IdHash.eq(id_hash))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("trainee vanished after insert")))?;
    if !created {
        same_person(&trainee, &input.name)?;
    }
    own(db, trainee.id, institution_id).await?;
    Ok(Registered {
        trainee,
        created,
        activation_code: created.then_some(code.code),
    })
}

/// Refuses a known document given under another name (`CONFLICT` on `name`): a valid
/// number copied from the wrong row would otherwise attach enrolments and certificates
/// to another real person. Names compare as [`PersonName::matches`] does; a real change
/// of name goes through [`correct`].
pub fn same_person(known: &trainee::Model, name: &PersonName) -> Result<(), AppError> {
    let matches = PersonName::parse(&known.name).is_ok_and(|known| known.matches(name));
    if matches {
        Ok(())
    } else {
        Err(AppError::ConflictOn {
            field: "name",
            message: "this document is already registered under another name \
                      (a real change of name is made with correctTrainee)",
        })
    }
}

/// A correction of a person's record: `None` leaves a field as it is; for the phone and
/// the district `Some(None)` clears it.
#[derive(Debug)]
pub struct Correction {
    /// The right name.
    pub name: Option<PersonName>,
    /// The right phone.
    pub phone: Option<Option<PhoneNumber>>,
    /// The right district.
    pub district: Option<Option<District>>,
    /// Why, for the audit trail.
    pub reason: Title,
}

/// Corrects a person's name, phone or district: a user of an institution that owns the
/// person, or CITY_ADMIN. The audit entry names the fields changed (never their values)
/// and the reason; verification uses the new name at once.
#[instrument(skip_all, fields(trainee.id = %trainee_id))]
pub async fn correct(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    trainee_id: Uuid,
    correction: Correction,
) -> Result<trainee::Model, AppError> {
    if !matches!(
        actor.role,
        Role::CityAdmin | Role::InstitutionAdmin | Role::InstitutionStaff
    ) {
        return Err(AppError::Forbidden);
    }
    let txn = super::audit::write_transaction(db).await?;
    let found = get_visible(&txn, actor, trainee_id).await?;
    let mut changed = Vec::new();
    let mut row: trainee::ActiveModel = found.clone().into();
    if let Some(name) = correction.name
        && name.as_str() != found.name
    {
        row.name = Set(name.as_str().to_owned());
        changed.push("name");
    }
    if let Some(phone) = correction.phone {
        let phone = phone.map(|p| p.as_str().to_owned());
        if phone != found.phone {
            row.phone = Set(phone);
            changed.push("phone");
        }
    }
    if let Some(district) = correction.district {
        let district = district.map(|d| d.as_str().to_owned());
        if district != found.district {
            row.district = Set(district);
            changed.push("district");
        }
    }
    if changed.is_empty() {
        txn.rollback().await?;
        return Ok(found);
    }
    row.updated_at = Set(now());
    let updated = row.update(&txn).await?;
    super::audit::corrected(
        &txn,
        actor,
        "correctTrainee",
        "trainee",
        updated.id,
        &changed,
        correction.reason.as_str(),
    )
    .await?;
    super::commit(txn).await?;
    Ok(updated)
}

/// Records that `institution_id` owns the trainee (registered or enrolled it).
pub async fn own(
    db: &impl ConnectionTrait,
    trainee_id: Uuid,
    institution_id: Uuid,
) -> Result<(), AppError> {
    own_many(db, &[trainee_id], institution_id).await
}

/// Records that `institution_id` owns each of `trainee_ids`.
pub async fn own_many(
    db: &impl ConnectionTrait,
    trainee_ids: &[Uuid],
    institution_id: Uuid,
) -> Result<(), AppError> {
    let mut batch = Batch::default();
    own_in(&mut batch, trainee_ids, institution_id);
    batch.send(db).await?;
    Ok(())
}

/// [`own_many`], as statements of `batch`.
pub fn own_in(batch: &mut Batch, trainee_ids: &[Uuid], institution_id: Uuid) {
    let at = now();
    batch.insert_rows(
        "INSERT INTO trainee_institution (trainee_id, institution_id, created_at) VALUES ",
        " ON CONFLICT (trainee_id, institution_id) DO NOTHING",
        trainee_ids
            .iter()
            .map(|id| vec![(*id).into(), institution_id.into(), at.into()]),
    );
}

/// Those of `trainee_ids` that `institution_id` owns.
pub async fn owned_among(
    db: &impl ConnectionTrait,
    institution_id: Uuid,
    trainee_ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, AppError> {
    let mut owned = std::collections::HashSet::new();
    for chunk in trainee_ids.chunks(500) {
        let rows = trainee_institution::Entity::find()
            .filter(trainee_institution::Column::InstitutionId.eq(institution_id))
            .filter(trainee_institution::Column::TraineeId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        owned.extend(rows.into_iter().map(|r| r.trainee_id));
    }
    Ok(owned)
}

/// The trainee of `id` if the caller may read it: CITY_ADMIN any, an institution role
/// those it owns, a TRAINEE itself. Others get `NotFound`, which leaks no existence.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: Uuid,
) -> Result<trainee::Model, AppError> {
    let mut select = trainee::Entity::find_by_id(id);
    match actor.role {
        Role::CityAdmin => {}
        Role::Trainee if actor.trainee_id == Some(id) => {}
        Role::InstitutionAdmin | Role::InstitutionStaff => {
            select = select.filter(owned_by(access::own_institution(actor)?));
        }
        _ => return Err(AppError::Forbidden),
    }
    select
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("trainee", id))
}

/// Trainees the caller may read (CITY_ADMIN all, institution roles their own, a TRAINEE
/// itself; CITY_ANALYST sees aggregates only).
pub async fn list(
    db: &impl ConnectionTrait,
    pii: &PiiKey,
    actor: &CurrentUser,
    filter: TraineeFilter,
    page: PageRequest,
) -> Result<Page<trainee::Model>, AppError> {
    let mut select = trainee::Entity::find();
    // The institutions the list is narrowed to, each by what it owns, and whether
    // nothing else narrows it.
    let mut owners = Vec::new();
    let mut only_owners = filter.district.is_none() && filter.document.is_none();
    match actor.role {
        Role::CityAdmin => {}
        Role::InstitutionAdmin | Role::InstitutionStaff => {
            owners.push(access::own_institution(actor)?);
        }
        Role::Trainee => {
            let own = actor.trainee_id.ok_or(AppError::Forbidden)?;
            select = select.filter(trainee::Column::Id.eq(own));
            only_owners = false;
        }
        Role::CityAnalyst => return Err(AppError::Forbidden),
    }
    owners.extend(filter.institution_id);
    owners.dedup();
    for institution in &owners {
        select = select.filter(owned_by(*institution));
    }
    if let Some(district) = filter.district {
        select = select.filter(trainee::Column::District.eq(district.as_str()));
    }
    if let Some(document) = filter.document {
        select = select.filter(trainee::Column::IdHash.eq(pii.digest(&document)));
    }
    match owners.as_slice() {
        // Everyone one institution owns: counted from its ownership rows alone (an
        // index-only scan; the foreign key holds each to a trainee), not by reading each
        // trainee: 22 ms against 380 ms for an institution of 194,000.
        [owner] if only_owners && page.counts() => {
            let mut found =
                page::fetch(db, select, trainee::Column::Id, page.counting(false)).await?;
            found.total = Some(
                trainee_institution::Entity::find()
                    .filter(trainee_institution::Column::InstitutionId.eq(*owner))
                    .count(db)
                    .await?,
            );
            Ok(found)
        }
        _ => page::fetch(db, select, trainee::Column::Id, page).await,
    }
}

/// Condition: the trainee is owned by `institution_id`.
fn owned_by(institution_id: Uuid) -> sea_orm::Condition {
    sea_orm::Condition::all().add(
        trainee::Column::Id.in_subquery(
            Query::select()
                .column(trainee_institution::Column::TraineeId)
                .from(trainee_institution::Entity)
                .and_where(trainee_institution::Column::InstitutionId.eq(institution_id))
                .to_owned(),
        ),
    )
}
