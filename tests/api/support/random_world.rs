//! A small world of institutions, courses and persons, and random enrol / complete /
//! withdraw / revoke operations on it, for the recount tests.

use std::collections::BTreeMap;

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::app::TestApp;
use super::fixtures::{Institution, NewCourse, World};
use super::flows::{complete_with, days_from_today, enrol, revoke, withdraw};
use super::gql::{Gql, id_at};
use super::ids::resident_id;

/// Persons to certify on HOST in the world's programme: low enough to be reached.
pub const HOST_TARGET: i32 = 2;
/// Persons to certify on PROFESSIONAL: high enough to leave a projection.
pub const PROFESSIONAL_TARGET: i32 = 40;

/// The seed of this run: `RECOUNT_SEED` when set, else random; printed so that a failure
/// can be replayed.
pub fn seed() -> u64 {
    let seed = std::env::var("RECOUNT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("recount seed {seed} (replay with RECOUNT_SEED={seed})");
    seed
}

/// A course of the world, with the index of its institution.
pub struct Course {
    pub id: String,
    pub institution: usize,
    pub capacity: Option<i32>,
}

/// Three institutions, four courses over both tracks, fifteen persons of whom some are
/// registered by two institutions, and a programme running today.
pub struct Population {
    /// The city.
    pub city: World,
    /// The programme counted.
    pub programme: String,
    pub institutions: Vec<Institution>,
    pub courses: Vec<Course>,
    pub trainees: Vec<String>,
    /// The trainees' document numbers, in the same order.
    pub documents: Vec<String>,
    /// Per institution, the indices of the trainees it registered.
    pub owned: Vec<Vec<usize>>,
}

/// Builds the population through the API; `rng` picks who registers whom.
pub async fn populate(app: &TestApp, rng: &mut StdRng) -> Population {
    let city = app.world().await;
    let programme = city.programme(HOST_TARGET, PROFESSIONAL_TARGET).await;
    let goal = app
        .graphql_as(
            Some(&city.admin),
            "mutation($input: SetGoalInput!) { setGoal(input: $input) { id } }",
            json!({ "input": { "programmeId": programme, "kind": "INFLUENTIAL_HOSTS", "target": 3.0 } }),
        )
        .await;
    assert!(goal.body["errors"].is_null(), "{}", goal.body);
    let mut institutions = Vec::new();
    for district in ["南山", "福田", "Longgang"] {
        institutions.push(city.institution_in(district).await);
    }
    let plan = [
        (0, NewCourse::host().capacity(6), Some(6)),
        (0, NewCourse::professional().level(3), None),
        (1, NewCourse::host().level(4).capacity(4), Some(4)),
        (2, NewCourse::professional().capacity(5), Some(5)),
    ];
    let mut courses = Vec::new();
    for (institution, course, capacity) in plan {
        courses.push(Course {
            id: institutions[institution].course(course).await,
            institution,
            capacity,
        });
    }
    let mut trainees = Vec::new();
    let mut documents = Vec::new();
    let mut owned = vec![Vec::new(); institutions.len()];
    for i in 0..15 {
        let id_number = resident_id();
        // Every institution registers someone; some persons are registered by two.
        let first = if i < institutions.len() {
            i
        } else {
            rng.gen_range(0..institutions.len())
        };
        let id = institutions[first].person("张三", &id_number).await;
        owned[first].push(i);
        if i % 4 == 0 {
            let second = (first + 1) % institutions.len();
            let again = institutions[second].person("张三", &id_number).await;
            assert_eq!(again, id, "the same person registered twice is one trainee");
            owned[second].push(i);
        }
        trainees.push(id);
        documents.push(id_number);
    }
    Population {
        city,
        programme,
        institutions,
        courses,
        trainees,
        documents,
        owned,
    }
}

/// What the test has learnt of the registry so far.
#[derive(Default)]
pub struct Known {
    /// Enrolment id → course index.
    pub enrolments: BTreeMap<String, usize>,
    /// Certificate number → issuing institution index.
    pub certificates: BTreeMap<String, usize>,
    /// Recognitions of influential hosts made.
    pub recognitions: Vec<String>,
}

/// A random operation.
#[derive(Debug, Clone)]
pub enum Op {
    Enrol {
        trainee: usize,
        course: usize,
    },
    Complete {
        enrolment: String,
        course: usize,
        passed: bool,
        /// Days between the exam and today: results are often entered late.
        days_back: i64,
    },
    Withdraw {
        enrolment: String,
        course: usize,
    },
    /// `recordResults` for some of the course institution's people: (trainee, passed,
    /// days back); people not enrolled are refused on their row.
    RecordResults {
        course: usize,
        rows: Vec<(usize, bool, i64)>,
    },
    Revoke {
        number: String,
        institution: usize,
        by_city: bool,
    },
    /// The city recognises a person as an influential host, dated some days back.
    Recognise {
        trainee: usize,
        days_back: i64,
    },
    /// The city withdraws a recognition.
    WithdrawRecognition {
        recognition: String,
    },
}

/// A random operation on what is known; enrolments first while there are none.
pub fn pick(rng: &mut StdRng, world: &Population, known: &Known) -> Op {
    let roll = rng.gen_range(0..100);
    if roll < 8 {
        return match known.recognitions.len() {
            n if n > 0 && roll < 3 => Op::WithdrawRecognition {
                recognition: known.recognitions[rng.gen_range(0..n)].clone(),
            },
            _ => Op::Recognise {
                trainee: rng.gen_range(0..world.trainees.len()),
                days_back: rng.gen_range(0..60),
            },
        };
    }
    let enrolments: Vec<(&String, &usize)> = known.enrolments.iter().collect();
    let certificates: Vec<(&String, &usize)> = known.certificates.iter().collect();
    if roll < 40 || enrolments.is_empty() {
        // An institution enrols only persons it registered: another's are not found.
        let course = rng.gen_range(0..world.courses.len());
        let owned = &world.owned[world.courses[course].institution];
        return Op::Enrol {
            trainee: owned[rng.gen_range(0..owned.len())],
            course,
        };
    }
    if roll < 88 || certificates.is_empty() {
        let (enrolment, course) = enrolments[rng.gen_range(0..enrolments.len())];
        let (enrolment, course) = (enrolment.clone(), *course);
        if roll < 46 {
            let course = rng.gen_range(0..world.courses.len());
            let owned = &world.owned[world.courses[course].institution];
            let mut rows: Vec<(usize, bool, i64)> = Vec::new();
            for _ in 0..rng.gen_range(1..5) {
                let trainee = owned[rng.gen_range(0..owned.len())];
                if rows.iter().all(|r| r.0 != trainee) {
                    rows.push((trainee, rng.gen_bool(0.75), rng.gen_range(0..60)));
                }
            }
            return Op::RecordResults { course, rows };
        }
        return if roll < 76 {
            Op::Complete {
                enrolment,
                course,
                passed: rng.gen_bool(0.75),
                days_back: rng.gen_range(0..60),
            }
        } else {
            Op::Withdraw { enrolment, course }
        };
    }
    let (number, institution) = certificates[rng.gen_range(0..certificates.len())];
    Op::Revoke {
        number: number.clone(),
        institution: *institution,
        by_city: rng.gen_bool(0.3),
    }
}

/// What an operation taught: a new enrolment or certificate, nothing, or a refusal code.
pub enum Outcome {
    Enrolment(String, usize),
    Certificates(Vec<String>, usize),
    Recognition(String),
    Nothing,
    Refused(String),
}

/// Sends `op` as the course's institution (or the city admin for some revocations).
pub async fn run(app: &TestApp, world: &Population, op: &Op) -> Outcome {
    let token = |course: usize| {
        world.institutions[world.courses[course].institution]
            .admin
            .as_str()
    };
    let (response, field): (Gql, &str) = match op {
        Op::Enrol { trainee, course } => (
            enrol(
                app,
                Some(token(*course)),
                &world.trainees[*trainee],
                &world.courses[*course].id,
            )
            .await,
            "enrol",
        ),
        Op::Complete {
            enrolment,
            course,
            passed,
            days_back,
        } => (
            complete_with(
                app,
                token(*course),
                json!({
                    "enrolmentId": enrolment,
                    "passed": passed,
                    "assessedOn": days_from_today(-days_back).to_string(),
                }),
            )
            .await,
            "completeEnrolment",
        ),
        Op::Withdraw { enrolment, course } => (
            withdraw(app, token(*course), enrolment).await,
            "withdrawEnrolment",
        ),
        Op::RecordResults { course, rows } => {
            let results: Vec<Value> = rows
                .iter()
                .map(|(trainee, passed, days_back)| {
                    json!({
                        "idNumber": world.documents[*trainee],
                        "passed": passed,
                        "assessedOn": days_from_today(-days_back).to_string(),
                    })
                })
                .collect();
            (
                app.graphql_as(
                    Some(token(*course)),
                    "mutation($input: RecordResultsInput!) {
                       recordResults(input: $input) { results { certificate { number } } }
                     }",
                    json!({ "input": { "courseId": world.courses[*course].id, "results": results } }),
                )
                .await,
                "recordResults",
            )
        }
        Op::Revoke {
            number,
            institution,
            by_city,
        } => {
            let token = if *by_city {
                &world.city.admin
            } else {
                &world.institutions[*institution].admin
            };
            (
                revoke(app, Some(token), number, "random revocation").await,
                "revokeCertificate",
            )
        }
        Op::Recognise { trainee, days_back } => (
            app.graphql_as(
                Some(&world.city.admin),
                "mutation($input: RecogniseInput!) { recognise(input: $input) { id } }",
                json!({ "input": {
                    "programmeId": world.programme, "kind": "INFLUENTIAL_HOSTS",
                    "traineeId": world.trainees[*trainee],
                    "recognisedOn": days_from_today(-days_back).to_string(),
                    "evidence": "City decision",
                }}),
            )
            .await,
            "recognise",
        ),
        Op::WithdrawRecognition { recognition } => (
            app.graphql_as(
                Some(&world.city.admin),
                "mutation($input: WithdrawRecognitionInput!) { withdrawRecognition(input: $input) { id } }",
                json!({ "input": { "recognitionId": recognition, "reason": "random withdrawal" } }),
            )
            .await,
            "withdrawRecognition",
        ),
    };
    if response.body.get("errors").is_some() {
        return Outcome::Refused(response.code().to_owned());
    }
    if let Op::Recognise { .. } = op {
        return Outcome::Recognition(id_at(&response.data()[field]));
    }
    let data = &response.data()[field];
    match op {
        Op::Enrol { course, .. } => Outcome::Enrolment(id_at(&data["enrolment"]), *course),
        Op::Complete { course, .. } => Outcome::Certificates(
            data["certificate"]["number"]
                .as_str()
                .map(str::to_owned)
                .into_iter()
                .collect(),
            world.courses[*course].institution,
        ),
        Op::RecordResults { course, .. } => Outcome::Certificates(
            data["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["certificate"]["number"].as_str().map(str::to_owned))
                .collect(),
            world.courses[*course].institution,
        ),
        Op::Withdraw { .. }
        | Op::Revoke { .. }
        | Op::Recognise { .. }
        | Op::WithdrawRecognition { .. } => Outcome::Nothing,
    }
}

/// Records what `outcome` taught; a refusal other than CONFLICT or CAPACITY_FULL fails.
pub fn learn(known: &mut Known, seed: u64, op: &Op, outcome: Outcome) {
    match outcome {
        Outcome::Enrolment(id, course) => {
            known.enrolments.insert(id, course);
        }
        Outcome::Certificates(numbers, institution) => {
            for number in numbers {
                known.certificates.insert(number, institution);
            }
        }
        Outcome::Recognition(id) => known.recognitions.push(id),
        Outcome::Nothing => {}
        Outcome::Refused(code) => assert!(
            matches!(code.as_str(), "CONFLICT" | "CAPACITY_FULL"),
            "seed {seed}: {op:?} was refused with {code}"
        ),
    }
}
