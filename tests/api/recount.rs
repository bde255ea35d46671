//! Randomized: after a random sequence of enrol / complete / withdraw / revoke calls, the
//! reported numbers equal a recount in SQL over the base tables, `stats` included over
//! date ranges that cut months (answered from the maintained day cells). `RECOUNT_SEED=<n>`
//! replays a run (exactly for the sequential test; the concurrent one also depends on
//! the order in which the server serves each batch).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::app::{TestApp, spawn_app};
use crate::support::flows::{self, days_from_today, programme_ends, programme_starts};
use crate::support::random_world::{
    HOST_TARGET, Known, Op, Outcome, PROFESSIONAL_TARGET, Population, learn, pick, populate, run,
    seed,
};
use crate::support::reads::{self, enrolled_count, on_track, rows};

/// The tracks and the world's targets on them.
const TRACKS: [(&str, i32); 2] = [("HOST", HOST_TARGET), ("PROFESSIONAL", PROFESSIONAL_TARGET)];

/// Counts per (track, institution id): trainees, enrolments, completions, certified persons.
type Breakdown = BTreeMap<(String, String), [i64; 4]>;

/// Progress on one track: certified, inTraining, reachedOn, projectedReachDate.
type TrackNumbers = (i64, i64, Option<String>, Option<String>);

/// The reported progress per track of the programme.
async fn reported_progress(app: &TestApp, world: &Population) -> BTreeMap<String, TrackNumbers> {
    let progress = reads::progress(app, &world.city.admin, &world.programme).await;
    TRACKS
        .iter()
        .map(|(track, _)| {
            let entry = on_track(&progress, track);
            let count = |field: &str| entry[field].as_i64().unwrap();
            let date = |field: &str| entry[field].as_str().map(str::to_owned);
            let numbers = (
                count("certified"),
                count("inTraining"),
                date("reachedOn"),
                date("projectedReachDate"),
            );
            ((*track).to_owned(), numbers)
        })
        .collect()
}

/// The reported `stats` by track and institution under `filter`, zero rows dropped.
async fn reported_stats(app: &TestApp, world: &Population, filter: Value) -> Breakdown {
    let stats = reads::stats(
        app,
        Some(&world.city.admin),
        filter,
        &["TRACK", "INSTITUTION"],
    )
    .await;
    let mut breakdown = Breakdown::new();
    for row in stats.data()["stats"].as_array().unwrap() {
        let key = (
            row["track"].as_str().unwrap().to_owned(),
            row["institution"]["id"].as_str().unwrap().to_owned(),
        );
        let measures = ["trainees", "enrolments", "completions", "certifiedPersons"]
            .map(|m| row[m].as_i64().unwrap());
        if measures != [0; 4] {
            breakdown.insert(key, measures);
        }
    }
    breakdown
}

/// `BETWEEN` the programme's first and last day, as SQL literals.
fn period() -> String {
    format!(
        "BETWEEN '{}' AND '{}'",
        programme_starts(),
        programme_ends()
    )
}

/// Date ranges that cut months whatever today is (none starts on a 1st or ends on a
/// month's last day), over the last months' results: (why, `stats` filter, SQL condition
/// on the dating column).
fn ranges_cutting_months() -> Vec<(String, Value, String)> {
    let first_of_month = flows::today().with_day(1).unwrap();
    let day = |months_back: u32, day: u64| {
        (first_of_month - Months::new(months_back)) + Days::new(day - 1)
    };
    let (a_15th, a_3rd, a_27th) = (day(2, 15), day(1, 3), day(1, 27));
    let forty_days_on = a_15th + Days::new(40);
    let (a_12th, last_months_15th) = (day(0, 12), day(1, 15));
    let between = |from: NaiveDate, to: NaiveDate| {
        (
            json!({ "from": from.to_string(), "to": to.to_string() }),
            format!("BETWEEN '{from}' AND '{to}'"),
        )
    };
    [
        (
            format!("{a_15th} to {forty_days_on}"),
            between(a_15th, forty_days_on),
        ),
        (format!("{a_3rd} to {a_27th}"), between(a_3rd, a_27th)),
        (
            format!("from {last_months_15th}"),
            (
                json!({ "from": last_months_15th.to_string() }),
                format!(">= '{last_months_15th}'"),
            ),
        ),
        (
            format!("up to {a_12th}"),
            (
                json!({ "to": a_12th.to_string() }),
                format!("<= '{a_12th}'"),
            ),
        ),
    ]
    .into_iter()
    .map(|(why, (filter, condition))| (why, filter, condition))
    .collect()
}

/// Progress per track recounted in SQL over the base tables, the dates derived from
/// each person's first qualifying issue day as DESIGN.md defines them.
async fn recounted_progress(app: &TestApp) -> BTreeMap<String, TrackNumbers> {
    let period = period();
    let mut tracks = BTreeMap::new();
    for (track, target) in TRACKS {
        let target = i64::from(target);
        let firsts: Vec<NaiveDate> = rows(
            app,
            &format!(
                "SELECT trainee_id, MIN(issued_on) AS first_on FROM certificate \
                 WHERE track = '{track}' AND revoked_at IS NULL AND issued_on {period} \
                 GROUP BY trainee_id ORDER BY first_on"
            ),
        )
        .await
        .iter()
        .map(|row| row.try_get("", "first_on").unwrap())
        .collect();
        let in_training = rows(
            app,
            &format!(
                "SELECT COUNT(DISTINCT e.trainee_id) AS n \
                 FROM enrolment e JOIN course c ON c.id = e.course_id \
                 WHERE c.track = '{track}' AND e.status = 'ENROLLED' AND NOT EXISTS ( \
                   SELECT 1 FROM certificate t WHERE t.trainee_id = e.trainee_id \
                   AND t.track = c.track AND t.revoked_at IS NULL AND t.issued_on {period})"
            ),
        )
        .await[0]
            .try_get::<i64>("", "n")
            .unwrap();
        let certified = i64::try_from(firsts.len()).unwrap();
        let reached_on = firsts.get(usize::try_from(target - 1).unwrap()).copied();
        let projected = if reached_on.is_some() {
            None
        } else {
            let since = days_from_today(-90);
            let recent = i64::try_from(firsts.iter().filter(|d| **d > since).count()).unwrap();
            let remaining = target - certified;
            (recent > 0 && remaining > 0)
                .then(|| days_from_today((remaining * 90 + recent - 1) / recent))
        };
        let numbers = (
            certified,
            in_training,
            reached_on.map(|d| d.to_string()),
            projected.map(|d| d.to_string()),
        );
        tracks.insert(track.to_owned(), numbers);
    }
    tracks
}

/// `stats` by track and institution within the programme, recounted in SQL. A person
/// counts once per track: in `trainees` in the group of the first enrolment on the track,
/// in `certifiedPersons` in that of the first unrevoked certificate (by issue
/// day, then time, then id).
async fn recounted_stats(app: &TestApp, period: &str) -> Breakdown {
    let queries = [
        format!(
            "SELECT c.track AS track, c.institution_id AS institution_id, COUNT(*) AS n0 \
             FROM enrolment e JOIN course c ON c.id = e.course_id \
             WHERE e.enrolled_on {period} AND NOT EXISTS ( \
               SELECT 1 FROM enrolment f JOIN course d ON d.id = f.course_id \
               WHERE f.trainee_id = e.trainee_id AND d.track = c.track \
               AND (f.enrolled_at < e.enrolled_at OR (f.enrolled_at = e.enrolled_at AND f.id < e.id))) \
             GROUP BY c.track, c.institution_id"
        ),
        format!(
            "SELECT c.track AS track, c.institution_id AS institution_id, COUNT(*) AS n1 \
             FROM enrolment e JOIN course c ON c.id = e.course_id \
             WHERE e.enrolled_on {period} GROUP BY c.track, c.institution_id"
        ),
        format!(
            "SELECT c.track AS track, c.institution_id AS institution_id, COUNT(*) AS n2 \
             FROM enrolment e JOIN course c ON c.id = e.course_id \
             WHERE e.status = 'COMPLETED' AND e.assessed_on {period} \
             GROUP BY c.track, c.institution_id"
        ),
        format!(
            "SELECT t.track AS track, t.institution_id AS institution_id, COUNT(*) AS n3 \
             FROM certificate t WHERE t.revoked_at IS NULL AND t.issued_on {period} \
             AND NOT EXISTS (SELECT 1 FROM certificate u WHERE u.trainee_id = t.trainee_id \
               AND u.track = t.track AND u.revoked_at IS NULL \
               AND (u.issued_on < t.issued_on OR (u.issued_on = t.issued_on \
               AND (u.issued_at < t.issued_at OR (u.issued_at = t.issued_at AND u.id < t.id))))) \
             GROUP BY t.track, t.institution_id"
        ),
    ];
    let mut breakdown = Breakdown::new();
    for (i, sql) in queries.iter().enumerate() {
        for row in rows(app, sql).await {
            let key = (
                row.try_get::<String>("", "track").unwrap(),
                row.try_get::<Uuid>("", "institution_id")
                    .unwrap()
                    .to_string(),
            );
            breakdown.entry(key).or_default()[i] = row.try_get("", &format!("n{i}")).unwrap();
        }
    }
    breakdown.retain(|_, measures| *measures != [0; 4]);
    breakdown
}

/// Asserts that the API's numbers equal the recount, and that each course's seats equal
/// its enrolments not withdrawn, within capacity.
async fn assert_recount(app: &TestApp, world: &Population, seed: u64) {
    let tracks = reported_progress(app, world).await;
    assert_eq!(
        tracks,
        recounted_progress(app).await,
        "seed {seed}: (certified, inTraining, reachedOn, projectedReachDate) per track"
    );
    let (from, to) = (flows::days_from_today(-3), flows::days_from_today(3));
    let around_today = json!({ "from": from.to_string(), "to": to.to_string() });
    let mut ranges = vec![
        ("unfiltered".to_owned(), json!(null), period()),
        (
            "within the programme".to_owned(),
            json!({ "programmeId": world.programme }),
            period(),
        ),
        (
            "around today".to_owned(),
            around_today,
            format!("BETWEEN '{from}' AND '{to}'"),
        ),
    ];
    ranges.extend(ranges_cutting_months());
    for (why, filter, period) in ranges {
        let expected = recounted_stats(app, &period).await;
        let breakdown = reported_stats(app, world, filter).await;
        assert_eq!(
            breakdown, expected,
            "seed {seed}: stats by track and institution, {why}"
        );
    }
    let seats: BTreeMap<String, i64> = rows(
        app,
        "SELECT course_id, COUNT(*) AS n FROM enrolment WHERE status <> 'WITHDRAWN' GROUP BY course_id",
    )
    .await
    .iter()
    .map(|row| {
        (
            row.try_get::<Uuid>("", "course_id").unwrap().to_string(),
            row.try_get::<i64>("", "n").unwrap(),
        )
    })
    .collect();
    for course in &world.courses {
        let taken = enrolled_count(app, &world.city.admin, &course.id).await;
        let expected = seats.get(&course.id).copied().unwrap_or(0);
        assert_eq!(
            taken, expected,
            "seed {seed}: seats of course {}",
            course.id
        );
        if let Some(capacity) = course.capacity {
            assert!(
                taken <= i64::from(capacity),
                "seed {seed}: course over capacity"
            );
        }
    }
    crate::as_of::assert_as_of_equals_recount(app, world, seed).await;
    // What `verify-counts` runs: every maintained row equals a recount.
    let differences = talent_registry::service::counting::recount::verify(&app.db)
        .await
        .unwrap();
    assert!(
        differences.is_empty(),
        "seed {seed}: maintained counts differ from a recount:\n{}",
        differences.join("\n")
    );
}

/// A person certified on HOST at two institutions, 50 and 10 days ago, whose first
/// certificate is then revoked: `certifiedPersons` moves the person to the second
/// certificate's institution and day (often in another month, so a range can cut
/// between the two).
async fn reattribute(app: &TestApp, world: &Population, known: &mut Known, seed: u64) {
    let mut numbers = Vec::new();
    for (course, days_back) in [(0, 50), (2, 10)] {
        let enrol = Op::Enrol { trainee: 0, course };
        let Outcome::Enrolment(enrolment, _) = run(app, world, &enrol).await else {
            panic!("seed {seed}: person 0 not enrolled in course {course}");
        };
        known.enrolments.insert(enrolment.clone(), course);
        let complete = Op::Complete {
            enrolment,
            course,
            passed: true,
            days_back,
        };
        let outcome = run(app, world, &complete).await;
        let Outcome::Certificates(issued, institution) = outcome else {
            panic!("seed {seed}: person 0 not certified in course {course}");
        };
        numbers.push(issued[0].clone());
        learn(
            known,
            seed,
            &complete,
            Outcome::Certificates(issued, institution),
        );
    }
    let revoke = Op::Revoke {
        number: numbers[0].clone(),
        institution: world.courses[0].institution,
        by_city: false,
    };
    let outcome = run(app, world, &revoke).await;
    learn(known, seed, &revoke, outcome);
}

#[tokio::test]
async fn after_random_operations_the_reported_numbers_equal_a_recount() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let app = spawn_app().await;
    let world = populate(&app, &mut rng).await;
    let mut known = Known::default();
    reattribute(&app, &world, &mut known, seed).await;

    for _ in 0..120 {
        let op = pick(&mut rng, &world, &known);
        let outcome = run(&app, &world, &op).await;
        learn(&mut known, seed, &op, outcome);
    }

    assert!(
        known.certificates.len() >= 3,
        "seed {seed}: too few certificates to test: {}",
        known.certificates.len()
    );
    assert_recount(&app, &world, seed).await;
}

#[tokio::test]
async fn after_random_concurrent_operations_of_several_institutions_the_numbers_equal_a_recount() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let app = Arc::new(spawn_app().await);
    let world = Arc::new(populate(&app, &mut rng).await);
    let mut known = Known::default();
    reattribute(&app, &world, &mut known, seed).await;

    for _ in 0..20 {
        let batch: Vec<Op> = (0..6).map(|_| pick(&mut rng, &world, &known)).collect();
        let mut set = JoinSet::new();
        for op in batch {
            let (app, world) = (Arc::clone(&app), Arc::clone(&world));
            set.spawn(async move {
                let outcome = run(&app, &world, &op).await;
                (op, outcome)
            });
        }
        for (op, outcome) in set.join_all().await {
            learn(&mut known, seed, &op, outcome);
        }
    }

    assert!(
        known.certificates.len() >= 3,
        "seed {seed}: too few certificates to test: {}",
        known.certificates.len()
    );
    assert_recount(&app, &world, seed).await;
}
