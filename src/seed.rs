//! `seed`: deterministic synthetic data for demos and benchmarks, written into a database
//! that has no trainees yet.
//!
//! Shape (the same `--seed` gives the same rows, ids included):
//! - institutions: one per 2,000 trainees (10 to 500) over Shenzhen's ten districts,
//!   at least one in each, unevenly (Nanshan, Baoan, Futian, Longgang busiest); all four kinds; valid credit
//!   codes; a long tail of sizes, so a few institutions take many trainees;
//! - courses: ten per institution, more at larger ones; 30 % HOST, 70 % PROFESSIONAL;
//!   level 5 and 4 most common, 10 % without a level; 8–120 hours; 40 % with a capacity
//!   (raised to the enrolled count where the draw fell short); starting over 2023–2025,
//!   more in later months; 5 % open-ended (no end date);
//! - trainees: valid resident IDs (40 % with Shenzhen region codes, births 1970–2005)
//!   and 3.5 % other documents (passports, permits), stored as keyed hash and masked
//!   form; Chinese names (Latin ones for foreign passports); 92 % with a mobile number;
//!   95 % with a district; no activation code;
//! - enrolments: 1–6 per person (3.1 on average) in distinct courses; 30 % of persons at
//!   two or three institutions, each of which owns them (`trainee_institution`);
//!   enrolled in office hours from a month before a course starts to its midpoint;
//! - outcomes: 20 % of persons are certified and complete most of their enrolments
//!   7–60 days after enrolling (score 60–100, one certificate each, track, level and
//!   issuer copied from the course); about 10 % of enrolments FAILED, 5 % WITHDRAWN, the
//!   rest ENROLLED (also any whose outcome would fall after 2025); 1 % of certificates
//!   revoked. At 1,000,000 trainees: about 3.1 M enrolments and 560 k certificates;
//! - national credentials (`skills.rs`, a random stream of its own): every tenth
//!   institution an evaluation organisation with sessions on 15 June and 15 December; a
//!   quarter of the standing completion certificates with a level followed, at the next
//!   session 10 days or more later, by a SKILL_LEVEL (90 %) or SPECIAL_ABILITY certificate
//!   of the same person, track and level, with its passed enrolment in the session's
//!   assessment course and a valid unique national number (about 11 % more certificates
//!   and 3.5 % more enrolments);
//! - the plan's other goals, for the default programme (`goals.rs`, a random stream of
//!   its own): 78–92 live SERVICE_INSTITUTIONS recognitions, 38–46 BASES_AND_PARKS,
//!   80–95 ENTERPRISES_LAUNCHED (half catalogue institutions of a kind the goal takes,
//!   half new organisations without courses: SERVICE_INSTITUTION, LIVESTREAMING_BASE and
//!   INDUSTRIAL_PARK, ENTERPRISE), 34–44 INFLUENTIAL_HOSTS among the persons certified
//!   on HOST (fewer in a small seed), 2–4 more withdrawn per goal, recognised on days of
//!   2023–2025 (later days more often); SALES_CNY for each of the 36 months, from about
//!   6.5 billion yuan in January 2023 growing 2 % a month (higher in June and November,
//!   lower in February), about 340 billion in all.
//!
//! Rows are generated on a blocking thread in chunks of persons while earlier chunks are
//! written, each chunk in one transaction (several at once on PostgreSQL); memory stays
//! bounded by the chunk size and the sets that keep documents and numbers unique.

mod calendar;
mod catalogue;
mod goals;
mod names;
mod people;
pub mod roster;
mod rows;
mod skills;
mod write;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, TransactionTrait,
};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::entity::trainee;
use crate::service::pii::PiiKey;
use calendar::Ids;
use catalogue::Catalogue;
use people::People;
use rows::Chunk;

pub use goals::GoalsWritten;

/// Persons per chunk, written in one transaction.
const CHUNK_PERSONS: u64 = 5_000;
/// Chunks generated ahead of the writers.
const QUEUE: usize = 2;
/// Chunks written at once on PostgreSQL; SQLite has a single writer.
const POSTGRES_WRITERS: usize = 4;
/// Mean enrolments per person, to size course capacities.
const MEAN_ENROLMENTS: f64 = 3.1;

/// Options of `seed`.
#[derive(Debug, Clone, clap::Args)]
pub struct SeedOptions {
    /// Persons to generate.
    #[arg(long, default_value_t = 10_000)]
    pub trainees: u64,
    /// RNG seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Institutions (default: trainees / 2000, at least one per district (10), at most 500).
    #[arg(long)]
    pub institutions: Option<u64>,
    /// Courses (default: 10 per institution).
    #[arg(long)]
    pub courses: Option<u64>,
}

/// What was written.
#[derive(Debug)]
pub struct SeedReport {
    /// Institutions written.
    pub institutions: u64,
    /// Courses written.
    pub courses: u64,
    /// Trainees (persons) written.
    pub trainees: u64,
    /// Enrolments written.
    pub enrolments: u64,
    /// Certificates written, revoked ones included.
    pub certificates: u64,
    /// Certificates written as revoked.
    pub revoked: u64,
    /// National credentials (with the assessments behind them) written.
    pub credentials: u64,
    /// Recognitions, new organisations and sales months.
    pub goals: GoalsWritten,
    /// Wall time of the whole run, the count rebuild included.
    pub elapsed: Duration,
}

/// Writes synthetic institutions, courses, trainees, enrolments and certificates, the
/// goals' recognitions and sales, then rebuilds the maintained counts. Refuses a database that already has trainees, so
/// synthetic rows never mix with real ones.
pub async fn run(
    db: &DatabaseConnection,
    pii: &PiiKey,
    options: &SeedOptions,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    if trainee::Entity::find().one(db).await?.is_some() {
        anyhow::bail!(
            "the database already has trainees; seed writes only into a database without \
             trainees, so that synthetic data never mixes with real data"
        );
    }
    let institutions = options
        .institutions
        .unwrap_or((options.trainees / 2_000).clamp(catalogue::DISTRICTS.len() as u64, 500));
    let courses = options.courses.unwrap_or(institutions * 10);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut ids = Ids::after_period();
    let catalogue = Arc::new(Catalogue::generate(
        &mut rng,
        &mut ids,
        usize::try_from(institutions).context("--institutions")?,
        usize::try_from(courses).context("--courses")?,
        options.trainees as f64 * MEAN_ENROLMENTS,
    )?);
    let txn = db.begin().await?;
    write::catalogue(&txn, &catalogue)
        .await
        .context("writing institutions and courses")?;
    txn.commit().await?;
    tracing::info!(
        institutions,
        courses,
        "seed: institutions and courses written"
    );

    let mut report = SeedReport {
        institutions,
        courses,
        trainees: 0,
        enrolments: 0,
        certificates: 0,
        revoked: 0,
        credentials: 0,
        goals: GoalsWritten::default(),
        elapsed: Duration::ZERO,
    };
    let people = People::new(rng, ids, Arc::clone(&catalogue), pii.clone())?;
    let (sender, mut chunks) = mpsc::channel(QUEUE);
    let generator = tokio::task::spawn_blocking({
        let total = options.trainees;
        move || generate(people, total, &sender)
    });
    let writers = match db.get_database_backend() {
        DbBackend::Postgres => POSTGRES_WRITERS,
        _ => 1,
    };
    let mut writing = JoinSet::new();
    let mut progress = Progress::new(options.trainees);
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk?;
        report.trainees += chunk.trainees.len() as u64;
        report.enrolments += chunk.enrolments.len() as u64;
        report.certificates += chunk.certificates.len() as u64;
        report.revoked += chunk.revoked() as u64;
        while writing.len() >= writers {
            progress.done(joined(writing.join_next().await)?);
        }
        writing.spawn(write_chunk(db.clone(), Arc::clone(&catalogue), chunk));
    }
    while let Some(result) = writing.join_next().await {
        progress.done(joined(Some(result))?);
    }
    generator.await.context("the generator thread failed")?;
    (report.goals, report.credentials) = settle(db, options.seed, &catalogue).await?;
    report.certificates += report.credentials;
    report.enrolments += report.credentials;
    report.elapsed = started.elapsed();
    tracing::info!(
        trainees = report.trainees,
        enrolments = report.enrolments,
        certificates = report.certificates,
        seconds = report.elapsed.as_secs_f64(),
        "seed: done"
    );
    Ok(report)
}

/// After the persons: the national credentials, the plan's other goals, the course seat
/// counts, every maintained count rebuilt, fresh planner statistics (a bulk load leaves
/// them describing empty tables). Returns the goals and the credentials written.
async fn settle(
    db: &DatabaseConnection,
    seed: u64,
    catalogue: &Catalogue,
) -> anyhow::Result<(GoalsWritten, u64)> {
    let txn = db.begin().await?;
    let credentials = skills::write(&txn, seed, catalogue)
        .await
        .context("writing national credentials")?;
    let goals = goals::write(&txn, seed, catalogue)
        .await
        .context("writing recognitions and sales")?;
    txn.commit().await?;
    write::finish(db)
        .await
        .context("settling course seat counts")?;
    tracing::info!("seed: rebuilding the maintained counts");
    crate::service::counting::recount::rebuild(db)
        .await
        .context("rebuilding the maintained counts")?;
    tracing::info!("seed: updating planner statistics");
    db.execute_unprepared("ANALYZE")
        .await
        .context("ANALYZE after the load")?;
    Ok((goals, credentials))
}

/// Generates `total` persons chunk by chunk until done, an error, or the receiver leaves.
fn generate(mut people: People, total: u64, sender: &mpsc::Sender<anyhow::Result<Chunk>>) {
    let mut left = total;
    while left > 0 {
        let persons = left.min(CHUNK_PERSONS);
        let chunk = usize::try_from(persons)
            .map_err(anyhow::Error::from)
            .and_then(|n| people.chunk(n));
        let failed = chunk.is_err();
        if sender.blocking_send(chunk).is_err() || failed {
            return;
        }
        left -= persons;
    }
}

/// Writes one chunk in its own transaction; returns (persons, rows).
async fn write_chunk(
    db: DatabaseConnection,
    catalogue: Arc<Catalogue>,
    chunk: Chunk,
) -> Result<(usize, usize), DbErr> {
    let txn = db.begin().await?;
    write::chunk(&txn, &catalogue, &chunk).await?;
    txn.commit().await?;
    Ok((chunk.trainees.len(), chunk.rows()))
}

/// Trainees and rows written by one writer task.
type Written = Result<(usize, usize), DbErr>;

/// The outcome of a finished writer task.
fn joined(
    result: Option<Result<Written, tokio::task::JoinError>>,
) -> anyhow::Result<(usize, usize)> {
    match result {
        Some(written) => Ok(written
            .context("a writer task failed")?
            .context("writing trainees, enrolments and certificates")?),
        None => Ok((0, 0)),
    }
}

/// Progress log: persons and rows written, and the row rate so far.
struct Progress {
    total: u64,
    persons: u64,
    rows: u64,
    started: Instant,
}

impl Progress {
    fn new(total: u64) -> Self {
        Self {
            total,
            persons: 0,
            rows: 0,
            started: Instant::now(),
        }
    }

    fn done(&mut self, (persons, rows): (usize, usize)) {
        if persons == 0 {
            return;
        }
        self.persons += persons as u64;
        self.rows += rows as u64;
        let seconds = self.started.elapsed().as_secs_f64().max(f64::EPSILON);
        tracing::info!(
            trainees = self.persons,
            of = self.total,
            rows = self.rows,
            rows_per_second = (self.rows as f64 / seconds).round(),
            "seed: chunk written"
        );
    }
}
