//! The synthetic demand side: persons, their enrolments and outcomes, generated a chunk
//! at a time from one seeded stream so that the same seed gives the same rows.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use uuid::Uuid;

use super::calendar::{Ids, period_end};
use super::catalogue::Catalogue;
use super::names;
use crate::domain::{CertificateNumber, EnrolmentStatus, IdType, Track, programme_date};
use crate::service::pii::PiiKey;

/// Weights of 1 to 6 enrolments per person: about 3.1 on average.
const ENROLMENT_COUNTS: [u32; 6] = [15, 22, 25, 18, 12, 8];
/// Share of persons with two or more enrolments who train at more than one institution,
/// so that about 30 % of all persons do.
const MULTI_INSTITUTION: f64 = 0.355;
/// Share of persons who earn certificates (they complete most of their enrolments).
const CERTIFIED: f64 = 0.2;
/// Share of certificates later revoked.
const REVOKED: f64 = 0.01;

const WITHDRAWAL_REASONS: [&str; 5] = [
    "工作调动",
    "时间冲突",
    "个人原因",
    "转报其他课程",
    "健康原因",
];
const REVOCATION_REASONS: [&str; 4] = [
    "考核材料弄虚作假",
    "身份信息核验不符",
    "重复发证",
    "培训学时不足",
];

/// A `trainee` row; `district` indexes the catalogue's districts.
pub struct TraineeRow {
    pub id: Uuid,
    pub name: String,
    pub id_type: IdType,
    pub id_hash: String,
    pub id_masked: String,
    pub phone: Option<String>,
    pub district: Option<usize>,
    pub created_at: DateTime<Utc>,
}

/// A `trainee_institution` row.
pub struct OwnerRow {
    pub trainee_id: Uuid,
    pub institution_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// An `enrolment` row; the programme dates are derived when written.
pub struct EnrolmentRow {
    pub id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    pub status: EnrolmentStatus,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub score: Option<i32>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawal_reason: Option<&'static str>,
    pub updated_at: DateTime<Utc>,
}

/// A `certificate` row; the issue date is derived when written.
pub struct CertificateRow {
    pub id: Uuid,
    pub number: String,
    pub enrolment_id: Uuid,
    pub trainee_id: Uuid,
    pub course_id: Uuid,
    pub institution_id: Uuid,
    pub track: Track,
    pub level: Option<i32>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<&'static str>,
}

/// The rows of a group of persons, written in one transaction.
#[derive(Default)]
pub struct Chunk {
    pub trainees: Vec<TraineeRow>,
    pub owners: Vec<OwnerRow>,
    pub enrolments: Vec<EnrolmentRow>,
    pub certificates: Vec<CertificateRow>,
}

impl Chunk {
    /// Rows over all tables.
    pub fn rows(&self) -> usize {
        self.trainees.len() + self.owners.len() + self.enrolments.len() + self.certificates.len()
    }

    /// Revoked certificates.
    pub fn revoked(&self) -> usize {
        self.certificates
            .iter()
            .filter(|c| c.revoked_at.is_some())
            .count()
    }
}

/// One enrolment before its row is built.
struct Plan {
    course: usize,
    enrolled_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    status: EnrolmentStatus,
}

/// Generates persons; remembers documents and certificate numbers so both stay unique.
pub struct People {
    rng: StdRng,
    ids: Ids,
    catalogue: Arc<Catalogue>,
    pii: PiiKey,
    enrolment_counts: WeightedIndex<u32>,
    documents: HashSet<u64>,
    numbers: HashSet<u64>,
}

impl People {
    /// Continues the seeded stream `rng` and the ids after the catalogue was drawn.
    pub fn new(
        rng: StdRng,
        ids: Ids,
        catalogue: Arc<Catalogue>,
        pii: PiiKey,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            rng,
            ids,
            catalogue,
            pii,
            enrolment_counts: WeightedIndex::new(ENROLMENT_COUNTS)?,
            documents: HashSet::new(),
            numbers: HashSet::new(),
        })
    }

    /// The rows of the next `persons` persons.
    pub fn chunk(&mut self, persons: usize) -> anyhow::Result<Chunk> {
        let mut chunk = Chunk::default();
        for _ in 0..persons {
            self.person(&mut chunk)?;
        }
        Ok(chunk)
    }

    fn person(&mut self, chunk: &mut Chunk) -> anyhow::Result<()> {
        let catalogue = Arc::clone(&self.catalogue);
        let rng = &mut self.rng;
        let home = catalogue.pick_institution(rng);
        let wanted = self.enrolment_counts.sample(rng) + 1;

        let mut institutions = vec![home];
        if wanted >= 2 && rng.gen_bool(MULTI_INSTITUTION) {
            let spread = if wanted >= 3 && rng.gen_bool(0.2) {
                3
            } else {
                2
            };
            for _ in 0..20 {
                if institutions.len() == spread {
                    break;
                }
                let other = catalogue.pick_institution(rng);
                if !institutions.contains(&other) {
                    institutions.push(other);
                }
            }
        }
        let mut courses: Vec<usize> = Vec::with_capacity(wanted);
        for n in 0..wanted {
            // The first enrolments go one to each institution, so a spread person really
            // trains at several; the rest land anywhere among them.
            let institution = match institutions.get(n) {
                Some(&institution) => institution,
                None => institutions[rng.gen_range(0..institutions.len())],
            };
            for _ in 0..8 {
                let course = catalogue.pick_course(rng, institution);
                if !courses.contains(&course) {
                    courses.push(course);
                    break;
                }
            }
        }

        let home_district = catalogue.institutions[home].district;
        let district = match rng.r#gen::<f64>() {
            r if r < 0.05 => None,
            r if r < 0.7 => Some(home_district),
            _ => Some(catalogue.pick_district(rng)),
        };
        let region = catalogue.districts[district.unwrap_or(home_district)].region;
        let (document, id_hash, latin) = loop {
            let (document, latin) = if rng.gen_bool(0.035) {
                names::other_document(rng)?
            } else {
                (names::resident_id(rng, region)?, false)
            };
            let id_hash = self.pii.digest(&document);
            // A repeat of an earlier person's document (or a 64-bit clash) draws again.
            let key = u64::from_str_radix(id_hash.get(..16).unwrap_or_default(), 16)?;
            if self.documents.insert(key) {
                break (document, id_hash, latin);
            }
        };
        let name = if latin {
            names::latin_name(rng)
        } else {
            names::chinese_name(rng)
        };
        let phone = rng.gen_bool(0.92).then(|| names::phone(rng));

        let certified = rng.gen_bool(CERTIFIED);
        let end = period_end();
        let mut plans: Vec<Plan> = courses
            .iter()
            .map(|&course| {
                let enrolled_at = catalogue.enrolment_instant(rng, course);
                let finished_at =
                    enrolled_at + Duration::seconds(rng.gen_range(7 * 86_400..=60 * 86_400));
                let done = finished_at <= end;
                let roll = rng.r#gen::<f64>();
                let status = match (certified, done) {
                    (true, true) if roll < 0.88 => EnrolmentStatus::Completed,
                    (true, true) if roll < 0.93 => EnrolmentStatus::Failed,
                    (false, true) if roll < 0.11 => EnrolmentStatus::Failed,
                    (false, _) if (0.11..0.175).contains(&roll) => EnrolmentStatus::Withdrawn,
                    _ => EnrolmentStatus::Enrolled,
                };
                Plan {
                    course,
                    enrolled_at,
                    finished_at,
                    status,
                }
            })
            .collect();
        // In time order, so a person's ids grow with their enrolments.
        plans.sort_by_key(|p| p.enrolled_at);
        if certified
            && plans.iter().all(|p| p.status != EnrolmentStatus::Completed)
            && let Some(plan) = plans.iter_mut().find(|p| p.finished_at <= end)
        {
            plan.status = EnrolmentStatus::Completed;
        }

        let first = plans.iter().map(|p| p.enrolled_at).min().unwrap_or(end);
        // Registered by the first institution just before the first enrolment.
        let created_at = first - Duration::seconds(rng.gen_range(60..3600));
        let trainee_id = self.ids.next(rng);
        chunk.trainees.push(TraineeRow {
            id: trainee_id,
            name,
            id_type: document.id_type(),
            id_hash,
            id_masked: document.masked(),
            phone,
            district,
            created_at,
        });

        // Each institution owns the person from its first enrolment on.
        let mut owners: Vec<(usize, DateTime<Utc>)> = Vec::with_capacity(institutions.len());
        for plan in &plans {
            let institution = catalogue.courses[plan.course].institution;
            match owners.iter_mut().find(|(i, _)| *i == institution) {
                Some((_, at)) => *at = (*at).min(plan.enrolled_at),
                None => owners.push((institution, plan.enrolled_at)),
            }
        }
        for (institution, at) in owners {
            chunk.owners.push(OwnerRow {
                trainee_id,
                institution_id: catalogue.institutions[institution].id,
                created_at: if at == first { created_at } else { at },
            });
        }

        for plan in plans {
            let course = &catalogue.courses[plan.course];
            let id = self.ids.next(rng);
            let mut row = EnrolmentRow {
                id,
                trainee_id,
                course_id: course.id,
                status: plan.status,
                enrolled_at: plan.enrolled_at,
                completed_at: None,
                score: None,
                withdrawn_at: None,
                withdrawal_reason: None,
                updated_at: plan.enrolled_at,
            };
            match plan.status {
                EnrolmentStatus::Completed => {
                    let issued_at = plan.finished_at;
                    row.completed_at = Some(issued_at);
                    row.score = Some(rng.gen_range(60..=100));
                    row.updated_at = issued_at;
                    let year = programme_date(issued_at).year();
                    let number = unique_number(rng, &mut self.numbers, course.track, year);
                    let revoked_at = rng.gen_bool(REVOKED).then(|| {
                        issued_at + Duration::seconds(rng.gen_range(86_400..180 * 86_400))
                    });
                    chunk.certificates.push(CertificateRow {
                        id: self.ids.next(rng),
                        number,
                        enrolment_id: id,
                        trainee_id,
                        course_id: course.id,
                        institution_id: catalogue.institutions[course.institution].id,
                        track: course.track,
                        level: course.level,
                        issued_at,
                        revoked_at,
                        revocation_reason: revoked_at
                            .map(|_| names::pick(rng, &REVOCATION_REASONS)),
                    });
                }
                EnrolmentStatus::Failed => {
                    row.completed_at = Some(plan.finished_at);
                    row.score = Some(rng.gen_range(20..60));
                    row.updated_at = plan.finished_at;
                }
                EnrolmentStatus::Withdrawn => {
                    let at = (plan.enrolled_at
                        + Duration::seconds(rng.gen_range(86_400..30 * 86_400)))
                    .min(end);
                    row.withdrawn_at = Some(at);
                    row.withdrawal_reason = rng
                        .gen_bool(0.7)
                        .then(|| names::pick(rng, &WITHDRAWAL_REASONS));
                    row.updated_at = at;
                }
                EnrolmentStatus::Enrolled => {}
            }
            chunk.enrolments.push(row);
        }
        Ok(())
    }
}

/// A certificate number that no earlier one has, remembered in `taken`.
fn unique_number(rng: &mut StdRng, taken: &mut HashSet<u64>, track: Track, year: i32) -> String {
    const RANDOM_BITS: u64 = (1 << 50) - 1;
    loop {
        let random: u64 = rng.r#gen();
        // The number is a function of track, year and the low 50 random bits.
        let key = (random & RANDOM_BITS)
            | (u64::from(track == Track::Host) << 50)
            | (u64::try_from(year).unwrap_or_default() << 51);
        if taken.insert(key) {
            return CertificateNumber::generate(track, year, random)
                .as_str()
                .to_owned();
        }
    }
}
