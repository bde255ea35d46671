//! National credentials in the seed: every fifth catalogue institution is an evaluation
//! organisation, and about a quarter of the standing completion certificates with a level
//! are followed, 10–60 days later (within 2023–2025), by a national credential of the same
//! person, track and level from an evaluation organisation: the assessment behind it (a
//! course of that organisation, one per certificate), its passed enrolment, the
//! organisation's ownership of the person, and the certificate with a valid, unique
//! national number. 90 % are SKILL_LEVEL, 10 % SPECIAL_ABILITY. The persons are certified
//! on those tracks already, so the certified figures stay as they were; a random stream
//! of its own keeps the rest of the seed unchanged.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Statement};
use uuid::Uuid;

use super::calendar::{Ids, LAST_DAY, at};
use super::catalogue::Catalogue;
use super::write::insert;
use crate::domain::{CredentialKind, OCCUPATION_CODE, SkillSubtype, Track};
use crate::entity::{certificate, course, enrolment, institution};

/// Share of standing completion certificates with a level followed by a credential.
const SHARE: f64 = 0.25;
/// Certificates read per page.
const PAGE: u64 = 5_000;

/// A completion certificate a credential may follow.
struct Completion {
    trainee_id: Uuid,
    track: Track,
    level: i32,
    issued_on: NaiveDate,
}

/// Writes the evaluation organisations and the credentials; returns how many credentials.
pub async fn write(
    db: &impl ConnectionTrait,
    seed: u64,
    catalogue: &Catalogue,
) -> Result<u64, DbErr> {
    let evaluators: Vec<Uuid> = catalogue
        .institutions
        .iter()
        .step_by(5)
        .map(|i| i.id)
        .collect();
    institution::Entity::update_many()
        .col_expr(institution::Column::Evaluator, Expr::value(true))
        .filter(institution::Column::Id.is_in(evaluators.iter().copied()))
        .exec(db)
        .await?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5ce1_11ed);
    let mut ids = Ids::after_period();
    let mut taken: HashSet<(Uuid, CredentialKind, SkillSubtype, i32)> = HashSet::new();
    let mut serial: u32 = 0;
    let mut written = 0;
    let mut after = Uuid::nil();
    loop {
        let page = completions(db, after).await?;
        let Some((last, _)) = page.last() else {
            return Ok(written);
        };
        after = *last;
        let mut rows = Rows::default();
        for (_, done) in &page {
            if !rng.gen_bool(SHARE) {
                continue;
            }
            let kind = if rng.gen_bool(0.1) {
                CredentialKind::SpecialAbility
            } else {
                CredentialKind::SkillLevel
            };
            let subtype = subtype(&mut rng, done.track, done.level);
            let issued_on = done.issued_on + Duration::days(rng.gen_range(10..=60));
            if issued_on > LAST_DAY || !taken.insert((done.trainee_id, kind, subtype, done.level)) {
                continue;
            }
            let evaluator = evaluators[rng.gen_range(0..evaluators.len())];
            serial += 1;
            if serial >= 1_000_000 {
                // Six digits of serial: a million credentials is more than any seed needs.
                break;
            }
            rows.add(
                &mut rng, &mut ids, done, kind, subtype, issued_on, evaluator, serial,
            );
        }
        written += rows.certificates.len() as u64;
        rows.write(db).await?;
    }
}

/// A sub-type of `track` that has `level`: the seller on HOST, another on PROFESSIONAL.
fn subtype(rng: &mut StdRng, track: Track, level: i32) -> SkillSubtype {
    match track {
        Track::Host => SkillSubtype::LivestreamSeller,
        Track::Professional => {
            let choices: &[SkillSubtype] = if level >= 3 {
                &[
                    SkillSubtype::ProductSelector,
                    SkillSubtype::VideoPromoter,
                    SkillSubtype::PlatformManager,
                ]
            } else {
                &[SkillSubtype::ProductSelector, SkillSubtype::VideoPromoter]
            };
            choices[rng.gen_range(0..choices.len())]
        }
    }
}

/// The next page of standing completion certificates with a level, by id after `after`.
async fn completions(
    db: &impl ConnectionTrait,
    after: Uuid,
) -> Result<Vec<(Uuid, Completion)>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            match db.get_database_backend() {
                sea_orm::DbBackend::Postgres => format!(
                    "SELECT id, trainee_id, track, level, issued_on FROM certificate \
                     WHERE id > $1 AND revoked_at IS NULL AND level IS NOT NULL \
                     AND kind = 'TRAINING_COMPLETION' ORDER BY id LIMIT {PAGE}"
                ),
                _ => format!(
                    "SELECT id, trainee_id, track, level, issued_on FROM certificate \
                     WHERE id > ? AND revoked_at IS NULL AND level IS NOT NULL \
                     AND kind = 'TRAINING_COMPLETION' ORDER BY id LIMIT {PAGE}"
                ),
            },
            [after.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let track: String = r.try_get("", "track")?;
            Ok((
                r.try_get("", "id")?,
                Completion {
                    trainee_id: r.try_get("", "trainee_id")?,
                    track: track
                        .parse()
                        .map_err(|_| DbErr::Custom(format!("stored track {track:?}")))?,
                    level: r.try_get("", "level")?,
                    issued_on: r.try_get("", "issued_on")?,
                },
            ))
        })
        .collect()
}

/// The rows of a page of credentials.
#[derive(Default)]
struct Rows {
    courses: Vec<[sea_orm::Value; 14]>,
    enrolments: Vec<[sea_orm::Value; 13]>,
    owners: Vec<(Uuid, Uuid)>,
    certificates: Vec<[sea_orm::Value; 17]>,
}

impl Rows {
    #[expect(
        clippy::too_many_arguments,
        reason = "one credential's parts, used once"
    )]
    fn add(
        &mut self,
        rng: &mut StdRng,
        ids: &mut Ids,
        done: &Completion,
        kind: CredentialKind,
        subtype: SkillSubtype,
        issued_on: NaiveDate,
        evaluator: Uuid,
        serial: u32,
    ) {
        let (course_id, enrolment_id, certificate_id) =
            (ids.next(rng), ids.next(rng), ids.next(rng));
        let issued_at = at(issued_on, rng.gen_range(9 * 3600..18 * 3600));
        let enrolled_at = issued_at - Duration::days(rng.gen_range(7..30));
        let letter = if rng.gen_bool(0.5) { 'S' } else { 'Y' };
        let number = format!(
            "{letter}440300{:06}{:02}{}{serial:06}",
            evaluator.as_u128() % 1_000_000,
            issued_on.year() % 100,
            done.level
        );
        let title = format!(
            "职业技能等级认定：互联网营销师（{}）{}级",
            subtype.chinese(),
            done.level
        );
        self.courses.push([
            course_id.into(),
            evaluator.into(),
            title.into(),
            done.track.as_str().into(),
            done.level.into(),
            1.into(),
            Option::<i32>::None.into(),
            issued_on.into(),
            issued_on.into(),
            1.into(),
            enrolled_at.into(),
            enrolled_at.into(),
            subtype.as_str().into(),
            true.into(),
        ]);
        self.enrolments.push([
            enrolment_id.into(),
            done.trainee_id.into(),
            course_id.into(),
            "COMPLETED".into(),
            enrolled_at.into(),
            crate::domain::programme_date(enrolled_at).into(),
            issued_at.into(),
            issued_on.into(),
            issued_on.into(),
            enrolled_at.into(),
            issued_at.into(),
            Option::<i32>::None.into(),
            Option::<String>::None.into(),
        ]);
        self.owners.push((done.trainee_id, evaluator));
        self.certificates.push([
            certificate_id.into(),
            number.clone().into(),
            enrolment_id.into(),
            done.trainee_id.into(),
            course_id.into(),
            evaluator.into(),
            done.track.as_str().into(),
            done.level.into(),
            issued_at.into(),
            issued_on.into(),
            issued_at.into(),
            issued_at.into(),
            kind.as_str().into(),
            OCCUPATION_CODE.into(),
            subtype.as_str().into(),
            number.into(),
            Option::<String>::None.into(),
        ]);
    }

    async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        use certificate::Column as K;
        use course::Column as C;
        use enrolment::Column as E;
        insert::<course::Entity, _>(
            db,
            [
                C::Id,
                C::InstitutionId,
                C::Title,
                C::Track,
                C::Level,
                C::Hours,
                C::Capacity,
                C::StartsOn,
                C::EndsOn,
                C::EnrolledCount,
                C::CreatedAt,
                C::UpdatedAt,
                C::Subtype,
                C::Assessment,
            ],
            self.courses,
        )
        .await?;
        insert::<enrolment::Entity, _>(
            db,
            [
                E::Id,
                E::TraineeId,
                E::CourseId,
                E::Status,
                E::EnrolledAt,
                E::EnrolledOn,
                E::CompletedAt,
                E::CompletedOn,
                E::AssessedOn,
                E::CreatedAt,
                E::UpdatedAt,
                E::Score,
                E::WithdrawalReason,
            ],
            self.enrolments,
        )
        .await?;
        let mut owners: std::collections::BTreeMap<Uuid, Vec<Uuid>> = Default::default();
        for (trainee, evaluator) in self.owners {
            owners.entry(evaluator).or_default().push(trainee);
        }
        for (evaluator, trainees) in owners {
            // A person the organisation owns already keeps the older row.
            crate::service::trainee::own_many(db, &trainees, evaluator)
                .await
                .map_err(|e| DbErr::Custom(format!("owners: {e}")))?;
        }
        insert::<certificate::Entity, _>(
            db,
            [
                K::Id,
                K::Number,
                K::EnrolmentId,
                K::TraineeId,
                K::CourseId,
                K::InstitutionId,
                K::Track,
                K::Level,
                K::IssuedAt,
                K::IssuedOn,
                K::CreatedAt,
                K::UpdatedAt,
                K::Kind,
                K::OccupationCode,
                K::Subtype,
                K::NationalNumber,
                K::RevocationReason,
            ],
            self.certificates,
        )
        .await
    }
}
