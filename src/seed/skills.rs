//! National credentials in the seed: every tenth catalogue institution (at least one) is
//! an evaluation organisation, holding an assessment session on the 15th of June and of
//! December. About a quarter of the standing completion certificates with a
//! level are followed by a national credential of the same person, track and level,
//! assessed at the first session 10 days or more after the completion (within 2023–2025):
//! the session (an assessment course of the organisation per kind, track and day, without
//! a level or sub-type: candidates of every sub-type and level of one session share it), the passed enrolment, the organisation's
//! ownership of the person, and the certificate with a valid, unique national number.
//! 90 % are SKILL_LEVEL, 10 % SPECIAL_ABILITY. The persons are certified on those tracks
//! already, so the certified figures stay as they were; a random stream of its own keeps
//! the rest of the seed unchanged.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Statement};
use uuid::Uuid;

use super::calendar::{Ids, LAST_DAY, at};
use super::catalogue::Catalogue;
use super::write::{COURSE_COLUMNS, insert};
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
        .step_by(10)
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
    let mut sessions: Sessions = HashMap::new();
    let mut seated: HashSet<(Uuid, Session)> = HashSet::new();
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
            let issued_on = session_on_or_after(done.issued_on + Duration::days(10));
            let evaluator = evaluators[rng.gen_range(0..evaluators.len())];
            // Once per person, kind, sub-type and level; once per person in a session.
            let session = (evaluator, kind, done.track, issued_on);
            if issued_on > LAST_DAY
                || taken.contains(&(done.trainee_id, kind, subtype, done.level))
                || !seated.insert((done.trainee_id, session))
            {
                continue;
            }
            taken.insert((done.trainee_id, kind, subtype, done.level));
            serial += 1;
            if serial >= 1_000_000 {
                // Six digits of serial: a million credentials is more than any seed needs.
                break;
            }
            let credential = Credential {
                done,
                kind,
                subtype,
                issued_on,
                evaluator,
                serial,
            };
            rows.add(&mut rng, &mut ids, &mut sessions, &credential);
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

/// An assessment session: organisation, kind, track and day; one course each.
type Session = (Uuid, CredentialKind, Track, NaiveDate);

/// The course of each session.
type Sessions = HashMap<Session, Uuid>;

/// One credential to write.
#[derive(Clone, Copy)]
struct Credential<'a> {
    done: &'a Completion,
    kind: CredentialKind,
    subtype: SkillSubtype,
    issued_on: NaiveDate,
    evaluator: Uuid,
    serial: u32,
}

/// The first session day (the 15th of June or December) on or after `day`.
fn session_on_or_after(day: NaiveDate) -> NaiveDate {
    (day.year()..=day.year() + 1)
        .flat_map(|year| [6, 12].map(|month| NaiveDate::from_ymd_opt(year, month, 15)))
        .flatten()
        .find(|session| *session >= day)
        .unwrap_or(NaiveDate::MAX)
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
    fn add(
        &mut self,
        rng: &mut StdRng,
        ids: &mut Ids,
        sessions: &mut Sessions,
        credential: &Credential<'_>,
    ) {
        let Credential { done, kind, .. } = *credential;
        let (subtype, issued_on) = (credential.subtype, credential.issued_on);
        let (evaluator, serial) = (credential.evaluator, credential.serial);
        let (enrolment_id, certificate_id) = (ids.next(rng), ids.next(rng));
        let issued_at = at(issued_on, rng.gen_range(9 * 3600..18 * 3600));
        let enrolled_at = issued_at - Duration::days(rng.gen_range(7..30));
        let letter = if rng.gen_bool(0.5) { 'S' } else { 'Y' };
        let number = format!(
            "{letter}440300{:06}{:02}{}{serial:06}",
            evaluator.as_u128() % 1_000_000,
            issued_on.year() % 100,
            done.level
        );
        let key = (evaluator, kind, done.track, issued_on);
        let course_id = match sessions.get(&key) {
            Some(id) => *id,
            None => {
                let id = ids.next(rng);
                sessions.insert(key, id);
                self.session(id, credential, enrolled_at);
                id
            }
        };
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

    /// The row of a new session's assessment course.
    fn session(&mut self, course_id: Uuid, credential: &Credential<'_>, created_at: DateTime<Utc>) {
        let Credential {
            done,
            issued_on,
            evaluator,
            ..
        } = *credential;
        let enrolled_at = created_at;
        let what = match credential.kind {
            CredentialKind::SpecialAbility => "专项职业能力考核",
            _ => "职业技能等级认定",
        };
        let title = format!("{what}：互联网营销师 {issued_on}");
        self.courses.push([
            course_id.into(),
            evaluator.into(),
            title.into(),
            done.track.as_str().into(),
            Option::<i32>::None.into(),
            1.into(),
            Option::<i32>::None.into(),
            issued_on.into(),
            issued_on.into(),
            1.into(),
            enrolled_at.into(),
            enrolled_at.into(),
            Option::<String>::None.into(),
            true.into(),
        ]);
    }

    async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        use certificate::Column as K;
        use enrolment::Column as E;
        insert::<course::Entity, _>(db, COURSE_COLUMNS, self.courses).await?;
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
