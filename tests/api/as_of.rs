//! `programmeProgress(asOf:)`: every figure as it stood at the end of a past day, for the
//! city and for an institution's share, with `verify-counts` clean after the writes.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::goals::{RECOGNISE, WITHDRAW, assert_counts_exact, institution_of, set_goal};
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::NewCourse;
use crate::support::flows::{
    complete_with, cst_date, days_from_today, enrolled, passed_on, programme_ends,
    programme_starts, revoke, today,
};
use crate::support::gql::{Gql, id_at};
use crate::support::random_world::Population;
use crate::support::reads::rows;

const AS_OF: &str = "query($programmeId: ID, $asOf: Date) {
  programmeProgress(programmeId: $programmeId, asOf: $asOf) {
    asOf certifiedPersons certifiedOnBothTracks
    targets { track certified inTraining ratio reachedOn projectedReachDate }
    goals { kind achieved reachedOn requiredPerMonth }
  }
}";

/// `programmeProgress` as of `day` (or now) as `token`.
async fn as_of(app: &TestApp, token: &str, programme: &str, day: Option<i64>) -> Gql {
    let day = day.map(|d| days_from_today(d).to_string());
    let response = app
        .graphql_as(
            Some(token),
            AS_OF,
            json!({ "programmeId": programme, "asOf": day }),
        )
        .await;
    assert!(response.body["errors"].is_null(), "{}", response.body);
    response
}

/// (certified, inTraining) on HOST.
fn host(response: &Gql) -> (i64, i64) {
    let progress = &response.data()["programmeProgress"];
    let host = progress["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["track"] == "HOST")
        .unwrap();
    (
        host["certified"].as_i64().unwrap(),
        host["inTraining"].as_i64().unwrap(),
    )
}

/// `field` of the goal of `kind`.
fn goal_field(response: &Gql, kind: &str, field: &str) -> Value {
    response.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .map(|g| g[field].clone())
        .unwrap_or(Value::Null)
}

/// `achieved` of the goal of `kind`.
fn goal_achieved(response: &Gql, kind: &str) -> Value {
    goal_field(response, kind, "achieved")
}

#[tokio::test]
async fn a_past_day_counts_the_certificates_that_stood_then_and_today_those_standing_now() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 10).await;
    let academy = world.institution().await;
    let other = world.institution().await;
    let course = academy.course(NewCourse::host()).await;
    let passed = academy.trainee().await;
    let learning = academy.trainee().await;
    let enrolment = enrolled(&app, &academy.admin, &passed, &course).await;
    enrolled(&app, &academy.admin, &learning, &course).await;
    // The exam 12 days ago, entered today; the certificate is revoked today.
    let exam = days_from_today(-12);
    let number = passed_on(&app, &academy.admin, &enrolment, exam).await;
    let exam = exam.to_string();
    revoke(&app, Some(&world.admin), &number, "forged exam record").await;

    // Thirteen days ago nothing had happened; five days ago the person was certified
    // (the target of 1 met since the exam); today the certificate no longer stands
    // (its enrolment is finished, so that person is not in training either), and the
    // one enrolled today is in training.
    assert_eq!(
        host(&as_of(&app, &world.admin, &programme, Some(-13)).await),
        (0, 0)
    );
    let then = as_of(&app, &world.admin, &programme, Some(-5)).await;
    assert_eq!(host(&then), (1, 0));
    let progress = &then.data()["programmeProgress"];
    assert_eq!(progress["asOf"], days_from_today(-5).to_string());
    assert_eq!(progress["targets"][0]["reachedOn"], exam);
    assert_eq!(progress["certifiedPersons"], 1);
    assert_eq!(goal_achieved(&then, "CERTIFIED_HOSTS"), 1.0);
    let now = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(host(&now), (0, 1));
    assert!(now.data()["programmeProgress"]["targets"][0]["reachedOn"].is_null());
    // Today as of today and without asOf agree.
    let live = as_of(&app, &world.admin, &programme, None).await;
    assert_eq!(host(&live), host(&now));
    assert_eq!(
        live.data()["programmeProgress"]["asOf"],
        today().to_string()
    );

    // The institution's own share, and another institution's (nothing).
    assert_eq!(
        host(&as_of(&app, &academy.admin, &programme, Some(-5)).await),
        (1, 0)
    );
    assert_eq!(
        host(&as_of(&app, &other.admin, &programme, Some(-5)).await),
        (0, 0)
    );
    assert_eq!(
        host(&as_of(&app, &other.admin, &programme, Some(0)).await),
        (0, 0)
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn a_recognition_withdrawn_today_still_counts_as_of_the_days_before() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 1).await;
    set_goal(&app, &world.admin, &programme, "BASES_AND_PARKS", 1.0).await;
    let base = institution_of(&app, &world.admin, "LIVESTREAMING_BASE").await;
    let recognised = app
        .graphql_as(
            Some(&world.admin),
            RECOGNISE,
            json!({ "input": { "programmeId": programme, "kind": "BASES_AND_PARKS",
                "institutionId": base, "recognisedOn": days_from_today(-20).to_string(),
                "evidence": "City decision 2026-17" } }),
        )
        .await;
    let recognition = id_at(&recognised.data()["recognise"]);
    app.graphql_as(
        Some(&world.admin),
        WITHDRAW,
        json!({ "input": { "recognitionId": recognition, "reason": "closed down" } }),
    )
    .await;

    let before = as_of(&app, &world.admin, &programme, Some(-21)).await;
    assert_eq!(goal_achieved(&before, "BASES_AND_PARKS"), 0.0);
    let then = as_of(&app, &world.admin, &programme, Some(-1)).await;
    assert_eq!(goal_achieved(&then, "BASES_AND_PARKS"), 1.0);
    let reached = &then.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "BASES_AND_PARKS")
        .unwrap()["reachedOn"];
    assert_eq!(reached, &json!(days_from_today(-20).to_string()));
    let now = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(goal_achieved(&now, "BASES_AND_PARKS"), 0.0);
    // An institution sees only the person goals, as of any day.
    let academy = world.institution().await;
    let own = as_of(&app, &academy.admin, &programme, Some(-1)).await;
    assert_eq!(goal_achieved(&own, "BASES_AND_PARKS"), Value::Null);
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn an_as_of_day_after_today_is_refused_on_the_argument() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 1).await;

    let response = app
        .graphql_as(
            Some(&world.admin),
            AS_OF,
            json!({ "programmeId": programme, "asOf": days_from_today(1).to_string() }),
        )
        .await;

    let error = &response.body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "BAD_USER_INPUT",
        "{}",
        response.body
    );
    assert_eq!(error["extensions"]["field"], "asOf");
}

/// What the oracle reads of one person's rows: (track, institution, from, until).
type Span = (String, Uuid, NaiveDate, Option<NaiveDate>);

/// The figures of one scope as of a day: per track (certified, inTraining), then
/// certifiedPersons, certifiedOnBothTracks, and the live INFLUENTIAL_HOSTS recognitions.
type Figures = (BTreeMap<String, (i64, i64)>, i64, i64, Option<f64>);

/// Certificates and enrolments per person, from the base tables.
async fn spans(app: &TestApp) -> (BTreeMap<Uuid, Vec<Span>>, BTreeMap<Uuid, Vec<Span>>) {
    let mut certificates: BTreeMap<Uuid, Vec<Span>> = BTreeMap::new();
    for row in rows(
        app,
        "SELECT trainee_id, track, institution_id, issued_on, revoked_at FROM certificate",
    )
    .await
    {
        let revoked: Option<DateTime<Utc>> = row.try_get("", "revoked_at").unwrap();
        certificates
            .entry(row.try_get("", "trainee_id").unwrap())
            .or_default()
            .push((
                row.try_get("", "track").unwrap(),
                row.try_get("", "institution_id").unwrap(),
                row.try_get("", "issued_on").unwrap(),
                revoked.map(cst_date),
            ));
    }
    let mut enrolments: BTreeMap<Uuid, Vec<Span>> = BTreeMap::new();
    for row in rows(
        app,
        "SELECT e.trainee_id, c.track, c.institution_id, e.enrolled_on, e.status, \
         e.assessed_on, e.withdrawn_at FROM enrolment e JOIN course c ON c.id = e.course_id",
    )
    .await
    {
        let status: String = row.try_get("", "status").unwrap();
        let withdrawn: Option<DateTime<Utc>> = row.try_get("", "withdrawn_at").unwrap();
        let assessed: Option<NaiveDate> = row.try_get("", "assessed_on").unwrap();
        let until = match status.as_str() {
            "ENROLLED" => None,
            "WITHDRAWN" => withdrawn.map(cst_date),
            _ => assessed,
        };
        enrolments
            .entry(row.try_get("", "trainee_id").unwrap())
            .or_default()
            .push((
                row.try_get("", "track").unwrap(),
                row.try_get("", "institution_id").unwrap(),
                row.try_get("", "enrolled_on").unwrap(),
                until,
            ));
    }
    (certificates, enrolments)
}

/// The figures as of `day` by their plain definitions, person by person (no day
/// changes): the oracle the randomized tests compare `programmeProgress(asOf:)` with.
async fn recounted(app: &TestApp, scope: Option<Uuid>, day: NaiveDate) -> Figures {
    let (certificates, enrolments) = spans(app).await;
    let (starts, ends) = (programme_starts(), programme_ends());
    let holds = |(_, institution, from, until): &Span| {
        scope.is_none_or(|s| s == *institution) && *from <= day && until.is_none_or(|u| u > day)
    };
    let mut tracks: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (mut persons, mut both) = (0, 0);
    let people: std::collections::BTreeSet<&Uuid> =
        certificates.keys().chain(enrolments.keys()).collect();
    for person in people {
        let mut certified_on = 0;
        for track in ["HOST", "PROFESSIONAL"] {
            let certified = certificates.get(person).is_some_and(|all| {
                all.iter()
                    .any(|s| s.0 == track && starts <= s.2 && s.2 <= ends && holds(s))
            });
            let enrolled = enrolments
                .get(person)
                .is_some_and(|all| all.iter().any(|s| s.0 == track && holds(s)));
            let entry = tracks.entry(track.to_owned()).or_default();
            entry.0 += i64::from(certified);
            entry.1 += i64::from(enrolled && !certified);
            certified_on += i32::from(certified);
        }
        persons += i64::from(certified_on > 0);
        both += i64::from(certified_on == 2);
    }
    let hosts = match scope {
        Some(_) => None,
        None => {
            let mut live = 0.0;
            for row in rows(app, "SELECT recognised_on, withdrawn_at FROM recognition").await {
                let from: NaiveDate = row.try_get("", "recognised_on").unwrap();
                let withdrawn: Option<DateTime<Utc>> = row.try_get("", "withdrawn_at").unwrap();
                if from <= day && withdrawn.is_none_or(|w| cst_date(w) > day) {
                    live += 1.0;
                }
            }
            Some(live)
        }
    };
    (tracks, persons, both, hosts)
}

/// The same figures as `programmeProgress(asOf: day)` answers them to `token`.
async fn reported(app: &TestApp, token: &str, programme: &str, day: NaiveDate) -> Figures {
    let response = app
        .graphql_as(
            Some(token),
            AS_OF,
            json!({ "programmeId": programme, "asOf": day.to_string() }),
        )
        .await;
    assert!(response.body["errors"].is_null(), "{}", response.body);
    let progress = &response.data()["programmeProgress"];
    let tracks = progress["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let n = |f: &str| t[f].as_i64().unwrap();
            (
                t["track"].as_str().unwrap().to_owned(),
                (n("certified"), n("inTraining")),
            )
        })
        .collect();
    let hosts = progress["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "INFLUENTIAL_HOSTS")
        .and_then(|g| g["achieved"].as_f64());
    (
        tracks,
        progress["certifiedPersons"].as_i64().unwrap(),
        progress["certifiedOnBothTracks"].as_i64().unwrap(),
        hosts,
    )
}

/// `programmeProgress(asOf:)` equals the plain recount on days before, between and
/// after the world's events, for the city and for each institution's share.
pub async fn assert_as_of_equals_recount(app: &TestApp, world: &Population, seed: u64) {
    for back in [70, 45, 20, 7, 1, 0] {
        let day = days_from_today(-back);
        let city = reported(app, &world.city.admin, &world.programme, day).await;
        assert_eq!(
            city,
            recounted(app, None, day).await,
            "seed {seed}: the city as of {day}"
        );
        for institution in &world.institutions {
            let scope = Some(institution.id.parse().unwrap());
            let own = reported(app, &institution.admin, &world.programme, day).await;
            assert_eq!(
                own,
                recounted(app, scope, day).await,
                "seed {seed}: institution {} as of {day}",
                institution.id
            );
        }
    }
}

#[tokio::test]
async fn folding_past_days_shards_changes_no_figure() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 10).await;
    let academy = world.institution().await;
    let course = academy.course(NewCourse::host()).await;
    for _ in 0..3 {
        let trainee = academy.trainee().await;
        let enrolment = enrolled(&app, &academy.admin, &trainee, &course).await;
        let exam = days_from_today(-12).to_string();
        complete_with(
            &app,
            &academy.admin,
            json!({ "enrolmentId": enrolment, "passed": true, "assessedOn": exam }),
        )
        .await;
    }
    // What a busy day leaves behind: the exam day's changes spread over shards, as if
    // they had been written on that day (writers shard only their own today).
    let sql = |text: &str| sea_orm::Statement::from_string(app.db.get_database_backend(), text);
    use sea_orm::ConnectionTrait;
    app.db
        .execute_raw(sql(
            "UPDATE progress_day SET shard = 7 WHERE figure = 'CERTIFIED:HOST' AND change > 0",
        ))
        .await
        .unwrap();
    let before = as_of(&app, &world.admin, &programme, Some(-5)).await;
    let past_shards =
        "SELECT shard FROM progress_day WHERE figure = 'CERTIFIED:HOST' AND shard <> 0";
    let spread = rows(&app, past_shards).await.len();
    assert_eq!(spread, 2, "the city's row and the institution's");

    let folded = talent_registry::service::counting::as_of::compact(&app.db)
        .await
        .unwrap();

    assert_eq!(usize::try_from(folded).unwrap(), spread);
    assert!(rows(&app, past_shards).await.is_empty());
    let after = as_of(&app, &world.admin, &programme, Some(-5)).await;
    assert_eq!(after.body, before.body);
    assert_eq!(host(&after), (3, 0));
    assert_counts_exact(&app).await;
}

/// `reachedOn` of the goal of `kind`.
fn goal_reached(response: &Gql, kind: &str) -> Value {
    goal_field(response, kind, "reachedOn")
}

/// The first day of the month `back` months before this one, as `YYYY-MM` and as a date.
fn month_back(back: u32) -> (String, String) {
    let month = today().with_day(1).unwrap() - chrono::Months::new(back);
    (month.format("%Y-%m").to_string(), month.to_string())
}

/// Records `value` yuan of sales for the month `back` months before this one.
async fn record_sales(app: &TestApp, admin: &str, programme: &str, back: u32, value: f64) {
    let answer = app
        .graphql_as(
            Some(admin),
            crate::goals::RECORD,
            json!({ "input": { "programmeId": programme, "kind": "SALES_CNY",
                "month": month_back(back).0, "value": value, "source": "Bureau of Commerce" } }),
        )
        .await;
    assert!(answer.body["errors"].is_null(), "{}", answer.body);
}

#[tokio::test]
async fn a_goal_is_reached_on_the_last_day_it_rose_to_its_target_whichever_month_that_was() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 1).await;
    set_goal(&app, &world.admin, &programme, "SALES_CNY", 100.0).await;
    let record = |back: u32, value: f64| record_sales(&app, &world.admin, &programme, back, value);
    let first = month_back;
    // 100 six months ago; four months ago 50, corrected to 40: that month fell, but
    // never below the target, so the goal still stands reached six months ago.
    record(6, 100.0).await;
    record(4, 50.0).await;
    record(4, 40.0).await;
    let now = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(goal_achieved(&now, "SALES_CNY"), 140.0);
    assert_eq!(goal_reached(&now, "SALES_CNY"), first(6).1);

    // Six months ago corrected to 20: 20 + 40 + 30 three months ago stays below 100;
    // 10 more two months ago meets it again, on that month's first day.
    record(6, 20.0).await;
    record(3, 30.0).await;
    let below = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(goal_achieved(&below, "SALES_CNY"), 90.0);
    assert!(goal_reached(&below, "SALES_CNY").is_null());
    record(2, 10.0).await;
    let again = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(goal_achieved(&again, "SALES_CNY"), 100.0);
    assert_eq!(goal_reached(&again, "SALES_CNY"), first(2).1);
    // Asked again (the server now reads that month's days with the figures): the same.
    let asked_again = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(asked_again.body, again.body);
    // The same without asOf, from the maintained counters.
    let live = as_of(&app, &world.admin, &programme, None).await;
    assert_eq!(goal_reached(&live, "SALES_CNY"), first(2).1);

    // Two months ago corrected to 5 and 5 more last month: the total is 100 again, but
    // it rose to it last month.
    record(2, 5.0).await;
    record(1, 5.0).await;
    for _ in 0..2 {
        let moved = as_of(&app, &world.admin, &programme, Some(0)).await;
        assert_eq!(goal_achieved(&moved, "SALES_CNY"), 100.0);
        assert_eq!(goal_reached(&moved, "SALES_CNY"), first(1).1);
    }
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn folding_past_months_shards_changes_no_figure() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 1).await;
    set_goal(&app, &world.admin, &programme, "SALES_CNY", 100.0).await;
    record_sales(&app, &world.admin, &programme, 5, 60.0).await;
    record_sales(&app, &world.admin, &programme, 3, 50.0).await;
    // A past month's sum spread over shards, as its writers leave it while it is current.
    let sql = |text: &str| sea_orm::Statement::from_string(app.db.get_database_backend(), text);
    use sea_orm::ConnectionTrait;
    app.db
        .execute_raw(sql(
            "UPDATE progress_month SET shard = 3 WHERE figure = 'GOAL:SALES_CNY'",
        ))
        .await
        .unwrap();
    let before = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(goal_achieved(&before, "SALES_CNY"), 110.0);
    let past_shards =
        "SELECT shard FROM progress_month WHERE shard <> 0 AND figure = 'GOAL:SALES_CNY'";
    assert_eq!(rows(&app, past_shards).await.len(), 2);

    let folded = talent_registry::service::counting::as_of::compact(&app.db)
        .await
        .unwrap();

    assert!(folded >= 2, "{folded}");
    assert!(rows(&app, past_shards).await.is_empty());
    let after = as_of(&app, &world.admin, &programme, Some(0)).await;
    assert_eq!(after.body, before.body);
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn as_of_without_a_programme_answers_for_the_one_current_now_after_another_started() {
    let app = spawn_app().await;
    let world = app.world().await;
    let first = world.programme(1, 10).await;
    let academy = world.institution().await;
    let course = academy.course(NewCourse::host()).await;
    let passed = academy.trainee().await;
    let enrolment = enrolled(&app, &academy.admin, &passed, &course).await;
    passed_on(&app, &academy.admin, &enrolment, days_from_today(-5)).await;
    let current = |response: &Gql| {
        let progress = &response.data()["programmeProgress"];
        (
            progress["programme"]["id"].as_str().unwrap().to_owned(),
            progress["targets"][0]["target"].as_i64().unwrap(),
        )
    };
    const CURRENT: &str = "query($asOf: Date) { programmeProgress(asOf: $asOf) {
      programme { id } targets { track target certified } } }";
    let ask = || async {
        let response = app
            .graphql_as(
                Some(&world.admin),
                CURRENT,
                json!({ "asOf": today().to_string() }),
            )
            .await;
        assert!(response.body["errors"].is_null(), "{}", response.body);
        response
    };
    let before = ask().await;
    assert_eq!(current(&before), (first.clone(), 1));
    assert_eq!(
        before.data()["programmeProgress"]["targets"][0]["certified"],
        1
    );

    // A programme started today is the current one from now on; the certificate of five
    // days ago is before its period.
    let second = crate::support::fixtures::programme_between(
        &app,
        &world.admin,
        (today(), programme_ends()),
        (7, 70),
    )
    .await;
    let after = ask().await;

    assert_eq!(current(&after), (second, 7));
    assert_eq!(
        after.data()["programmeProgress"]["targets"][0]["certified"],
        0
    );
}
