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
use super::catalogue::{Catalogue, Course};
use super::names;
use super::rows::{CertificateRow, Chunk, EnrolmentRow, OwnerRow, TraineeRow};
use crate::domain::{CertificateNumber, EnrolmentStatus, IdDocument, Track, programme_date};
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

    /// Draws one person (where they train, who they are, how their enrolments end) and
    /// appends their rows to `chunk`. The order of the draws is part of the seed's
    /// contract: reordering them changes every row after the first person.
    fn person(&mut self, chunk: &mut Chunk) -> anyhow::Result<()> {
        let catalogue = Arc::clone(&self.catalogue);
        let home = catalogue.pick_institution(&mut self.rng);
        let wanted = self.enrolment_counts.sample(&mut self.rng) + 1;
        let institutions = institutions(&mut self.rng, &catalogue, home, wanted);
        let courses = courses(&mut self.rng, &catalogue, &institutions, wanted);
        let home_district = catalogue.institutions[home].district;
        let district = residence(&mut self.rng, &catalogue, home_district);
        let region = catalogue.districts[district.unwrap_or(home_district)].region;
        let identity = self.identity(region)?;
        let certified = self.rng.gen_bool(CERTIFIED);
        let plans = plans(&mut self.rng, &catalogue, &courses, certified);

        let first = plans
            .iter()
            .map(|p| p.enrolled_at)
            .min()
            .unwrap_or(period_end());
        // Registered by the first institution just before the first enrolment.
        let created_at = first - Duration::seconds(self.rng.gen_range(60..3600));
        let trainee_id = self.ids.next(&mut self.rng);
        chunk.trainees.push(TraineeRow {
            id: trainee_id,
            name: identity.name,
            id_type: identity.document.id_type(),
            id_hash: identity.id_hash,
            id_masked: identity.document.masked(),
            phone: identity.phone,
            district,
            created_at,
        });
        chunk
            .owners
            .extend(owners(&catalogue, &plans, trainee_id, first, created_at));
        for plan in plans {
            self.enrolment(chunk, &catalogue, trainee_id, plan);
        }
        Ok(())
    }

    /// Who a person living in `region` is: a document no earlier person has (its digest
    /// remembered), a name that fits the document, and usually a mobile number.
    fn identity(&mut self, region: &str) -> anyhow::Result<Identity> {
        let rng = &mut self.rng;
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
        Ok(Identity {
            document,
            id_hash,
            name,
            phone,
        })
    }

    /// Appends the enrolment row of `plan` to `chunk`, with the score, withdrawal or
    /// certificate its status calls for.
    fn enrolment(
        &mut self,
        chunk: &mut Chunk,
        catalogue: &Catalogue,
        trainee_id: Uuid,
        plan: Plan,
    ) {
        let course = &catalogue.courses[plan.course];
        let id = self.ids.next(&mut self.rng);
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
                row.completed_at = Some(plan.finished_at);
                row.score = Some(self.rng.gen_range(60..=100));
                row.updated_at = plan.finished_at;
                let certificate = self.certificate(catalogue, course, &row, plan.finished_at);
                chunk.certificates.push(certificate);
            }
            EnrolmentStatus::Failed => {
                row.completed_at = Some(plan.finished_at);
                row.score = Some(self.rng.gen_range(20..60));
                row.updated_at = plan.finished_at;
            }
            EnrolmentStatus::Withdrawn => {
                let rng = &mut self.rng;
                let at = (plan.enrolled_at + Duration::seconds(rng.gen_range(86_400..30 * 86_400)))
                    .min(period_end());
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

    /// The certificate of `enrolment` in `course`, completed and issued at `issued_at`,
    /// with a unique number; a few are later revoked.
    fn certificate(
        &mut self,
        catalogue: &Catalogue,
        course: &Course,
        enrolment: &EnrolmentRow,
        issued_at: DateTime<Utc>,
    ) -> CertificateRow {
        let rng = &mut self.rng;
        let year = programme_date(issued_at).year();
        let number = unique_number(rng, &mut self.numbers, course.track, year);
        let revoked_at = rng
            .gen_bool(REVOKED)
            .then(|| issued_at + Duration::seconds(rng.gen_range(86_400..180 * 86_400)));
        CertificateRow {
            id: self.ids.next(rng),
            number,
            enrolment_id: enrolment.id,
            trainee_id: enrolment.trainee_id,
            course_id: course.id,
            institution_id: catalogue.institutions[course.institution].id,
            track: course.track,
            level: course.level,
            issued_at,
            revoked_at,
            revocation_reason: revoked_at.map(|_| names::pick(rng, &REVOCATION_REASONS)),
        }
    }
}

/// Who a person is, before their trainee row is built.
struct Identity {
    document: IdDocument,
    id_hash: String,
    name: String,
    phone: Option<String>,
}

/// The institutions a person wanting `wanted` enrolments trains at: `home`, and for
/// some of those with two or more enrolments one or two others.
fn institutions(rng: &mut StdRng, catalogue: &Catalogue, home: usize, wanted: usize) -> Vec<usize> {
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
    institutions
}

/// Up to `wanted` distinct courses at `institutions` (fewer when the draws keep
/// repeating a course).
fn courses(
    rng: &mut StdRng,
    catalogue: &Catalogue,
    institutions: &[usize],
    wanted: usize,
) -> Vec<usize> {
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
    courses
}

/// The district a person lives in: mostly that of their home institution, some
/// elsewhere, a few unknown.
fn residence(rng: &mut StdRng, catalogue: &Catalogue, home_district: usize) -> Option<usize> {
    match rng.r#gen::<f64>() {
        r if r < 0.05 => None,
        r if r < 0.7 => Some(home_district),
        _ => Some(catalogue.pick_district(rng)),
    }
}

/// A person's enrolments in `courses`, in time order, each with its status; a
/// `certified` person completes at least one whose outcome falls within the period.
fn plans(rng: &mut StdRng, catalogue: &Catalogue, courses: &[usize], certified: bool) -> Vec<Plan> {
    let end = period_end();
    let mut plans: Vec<Plan> = courses
        .iter()
        .map(|&course| {
            let enrolled_at = catalogue.enrolment_instant(rng, course);
            let finished_at =
                enrolled_at + Duration::seconds(rng.gen_range(7 * 86_400..=60 * 86_400));
            let roll = rng.r#gen::<f64>();
            Plan {
                course,
                enrolled_at,
                finished_at,
                status: status(certified, finished_at <= end, roll),
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
    plans
}

/// The status an enrolment ends in for the uniform `roll`: a certified person mostly
/// completes, others sometimes fail or withdraw; an outcome after the period (not
/// `done`) leaves it enrolled, a withdrawal excepted.
fn status(certified: bool, done: bool, roll: f64) -> EnrolmentStatus {
    match (certified, done) {
        (true, true) if roll < 0.88 => EnrolmentStatus::Completed,
        (true, true) if roll < 0.93 => EnrolmentStatus::Failed,
        (false, true) if roll < 0.11 => EnrolmentStatus::Failed,
        (false, _) if (0.11..0.175).contains(&roll) => EnrolmentStatus::Withdrawn,
        _ => EnrolmentStatus::Enrolled,
    }
}

/// A row per institution of the person's enrolments, owning them from its first
/// enrolment there on; the institution of the `first` enrolment from `registered_at`.
fn owners(
    catalogue: &Catalogue,
    plans: &[Plan],
    trainee_id: Uuid,
    first: DateTime<Utc>,
    registered_at: DateTime<Utc>,
) -> Vec<OwnerRow> {
    let mut owners: Vec<(usize, DateTime<Utc>)> = Vec::new();
    for plan in plans {
        let institution = catalogue.courses[plan.course].institution;
        match owners.iter_mut().find(|(i, _)| *i == institution) {
            Some((_, at)) => *at = (*at).min(plan.enrolled_at),
            None => owners.push((institution, plan.enrolled_at)),
        }
    }
    owners
        .into_iter()
        .map(|(institution, at)| OwnerRow {
            trainee_id,
            institution_id: catalogue.institutions[institution].id,
            created_at: if at == first { registered_at } else { at },
        })
        .collect()
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
