//! Results and assessment dates: `completeEnrolment`'s `assessedOn`, counting on the exam
//! day, `recordResults` (pass, fail, repeat, contradiction, unknown people, other tenants,
//! modes, exact counts) and `importResults` (Chinese headers in GBK, BOM, line numbers,
//! re-runs).

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World, programme_between};
use crate::support::flows::{complete_with, days_from_today, enrolled, today, withdraw};
use crate::support::gql::Gql;
use crate::support::ids::resident_id;
use crate::support::reads::{on_track, progress, stats};
use crate::support::roles::{Caller, Roles};

const RECORD: &str = "mutation($input: RecordResultsInput!) {
  recordResults(input: $input) {
    passedCount failedCount refusedCount applied
    results {
      index changed
      enrolment { id status score assessedOn certificate { number } }
      certificate { number issuedOn status }
      error { code field message }
    }
  }
}";

const IMPORT: &str = "mutation($input: ImportResultsInput!) {
  importResults(input: $input) {
    passedCount failedCount refusedCount applied
    results { index changed enrolment { status assessedOn } certificate { issuedOn } error { code field } }
  }
}";

const COMPLETE: &str = "mutation($input: CompleteEnrolmentInput!) {
  completeEnrolment(input: $input) {
    status assessedOn completedAt certificate { number issuedOn issuedAt }
  }
}";

/// An institution with a HOST course open since 100 days ago, and `n` people enrolled in
/// it; returns the institution, the course and the people's document numbers.
async fn course_with(app: &TestApp, n: usize) -> (World, Institution, String, Vec<String>) {
    let city = app.world().await;
    let institution = city.institution().await;
    let course = institution
        .course(NewCourse::host().running_since(days_from_today(-100)))
        .await;
    let people = enrol_people(app, &institution, &course, n).await;
    (city, institution, course, people)
}

/// Enrols `n` new people in `course` through `enrolMany`; returns their document numbers.
async fn enrol_people(
    app: &TestApp,
    institution: &Institution,
    course: &str,
    n: usize,
) -> Vec<String> {
    let people: Vec<String> = (0..n).map(|_| resident_id()).collect();
    enrol_documents(app, institution, course, &people).await;
    people
}

/// Enrols the holders of `people` (documents) in `course` through `enrolMany`.
async fn enrol_documents(
    app: &TestApp,
    institution: &Institution,
    course: &str,
    people: &[String],
) {
    let rows: Vec<Value> = people
        .iter()
        .map(|id| json!({ "name": "张三", "idNumber": id }))
        .collect();
    let response = app
        .graphql_as(
            Some(&institution.admin),
            "mutation($input: EnrolManyInput!) { enrolMany(input: $input) { failedCount } }",
            json!({ "input": { "courseId": course, "trainees": rows } }),
        )
        .await;
    assert_eq!(response.data()["enrolMany"]["failedCount"], 0);
}

async fn record(app: &TestApp, token: &str, course: &str, rows: Value, mode: Option<&str>) -> Gql {
    let mut input = json!({ "courseId": course, "results": rows });
    if let Some(mode) = mode {
        input["mode"] = json!(mode);
    }
    app.graphql_as(Some(token), RECORD, json!({ "input": input }))
        .await
}

fn payload<'a>(response: &'a Gql, field: &str) -> &'a Value {
    &response.data()[field]
}

fn row(payload: &Value, index: usize) -> &Value {
    &payload["results"][index]
}

fn assert_refused(row: &Value, code: &str, field: &str) {
    assert_eq!(row["error"]["code"], code, "{row}");
    assert_eq!(row["error"]["field"], field, "{row}");
    assert_eq!(row["changed"], false, "{row}");
}

/// What results change, counted in the database.
async fn written(app: &TestApp) -> [i64; 4] {
    [
        app.count("certificate").await,
        app.count("enrolment WHERE status = 'ENROLLED'").await,
        app.count("enrolment WHERE assessed_on IS NOT NULL").await,
        app.count("audit_log").await,
    ]
}

async fn discrepancies(app: &TestApp) -> Vec<String> {
    talent_registry::service::counting::recount::verify(&app.db)
        .await
        .unwrap()
}

/// A programme from `starts` to `ends` days from today, a target of 1 on each track.
pub async fn create_programme(app: &TestApp, admin: &str, starts: i64, ends: i64) -> String {
    let period = (days_from_today(starts), days_from_today(ends));
    programme_between(app, admin, period, (1, 1)).await
}

#[tokio::test]
async fn an_assessment_day_in_the_future_before_the_course_or_over_a_year_back_is_refused() {
    let app = spawn_app().await;
    let city = app.world().await;
    let institution = city.institution().await;
    let started = days_from_today(-30);
    let course = institution
        .course(NewCourse::host().running_since(started))
        .await;
    let trainee = institution.trainee().await;
    let enrolment = enrolled(&app, &institution.admin, &trainee, &course).await;
    let undated = institution.course(NewCourse::host()).await;
    let other = enrolled(&app, &institution.admin, &trainee, &undated).await;
    let before = written(&app).await;

    for (enrolment, day, why) in [
        (&enrolment, days_from_today(1), "tomorrow"),
        (
            &enrolment,
            days_from_today(-31),
            "the day before the course started",
        ),
        (&other, days_from_today(-366), "366 days ago"),
    ] {
        let response = complete_with(
            &app,
            &institution.admin,
            json!({ "enrolmentId": enrolment, "passed": true, "assessedOn": day.to_string() }),
        )
        .await;
        assert_eq!(response.code(), "BAD_USER_INPUT", "{why}");
        assert_eq!(response.field(), Some("assessedOn"), "{why}");
    }
    assert_eq!(
        written(&app).await,
        before,
        "a refused result changes nothing"
    );

    let on_the_first_day = complete_with(
        &app,
        &institution.admin,
        json!({ "enrolmentId": enrolment, "passed": true, "assessedOn": started.to_string() }),
    )
    .await;
    assert_eq!(
        on_the_first_day.data()["completeEnrolment"]["status"],
        "COMPLETED"
    );
    let a_year_back = complete_with(
        &app,
        &institution.admin,
        json!({ "enrolmentId": other, "passed": false, "assessedOn": days_from_today(-365).to_string() }),
    )
    .await;
    assert_eq!(a_year_back.data()["completeEnrolment"]["status"], "FAILED");
}

/// An institution with a HOST course without dates and one person enrolled in it;
/// returns the institution and the enrolment id.
async fn one_enrolment(app: &TestApp) -> (Institution, String) {
    let city = app.world().await;
    let institution = city.institution().await;
    let course = institution.course(NewCourse::host()).await;
    let trainee = institution.trainee().await;
    let enrolment = enrolled(app, &institution.admin, &trainee, &course).await;
    (institution, enrolment)
}

#[tokio::test]
async fn a_result_without_an_assessment_day_is_dated_today_and_its_certificate_too() {
    let app = spawn_app().await;
    let (institution, enrolment) = one_enrolment(&app).await;

    let response = app
        .graphql_as(
            Some(&institution.admin),
            COMPLETE,
            json!({ "input": { "enrolmentId": enrolment, "passed": true } }),
        )
        .await;

    let completed = &response.data()["completeEnrolment"];
    assert_eq!(completed["assessedOn"], today().to_string());
    assert_eq!(completed["certificate"]["issuedOn"], today().to_string());
}

#[tokio::test]
async fn an_exam_in_the_previous_period_entered_later_counts_in_that_period() {
    let app = spawn_app().await;
    let (city, institution, course, _) = course_with(&app, 0).await;
    let earlier = create_programme(&app, &city.admin, -60, -10).await;
    let current = create_programme(&app, &city.admin, -9, 300).await;
    let trainee = institution.trainee().await;
    let enrolment = enrolled(&app, &institution.admin, &trainee, &course).await;
    let exam = days_from_today(-12);

    let response = app
        .graphql_as(
            Some(&institution.admin),
            COMPLETE,
            json!({ "input": { "enrolmentId": enrolment, "passed": true, "assessedOn": exam.to_string() } }),
        )
        .await;

    let completed = &response.data()["completeEnrolment"];
    assert_eq!(completed["assessedOn"], exam.to_string());
    let certificate = &completed["certificate"];
    assert_eq!(certificate["issuedOn"], exam.to_string());
    let year = exam.format("%Y").to_string();
    assert!(
        certificate["number"].as_str().unwrap()[1..].starts_with(&year),
        "the number carries the exam's year: {certificate}"
    );
    let then = progress(&app, &city.admin, &earlier).await;
    assert_eq!(on_track(&then, "HOST")["certified"], 1);
    assert_eq!(on_track(&then, "HOST")["reachedOn"], exam.to_string());
    let now = progress(&app, &city.admin, &current).await;
    assert_eq!(on_track(&now, "HOST")["certified"], 0);
    assert!(on_track(&now, "HOST")["reachedOn"].is_null());

    let months = stats(
        &app,
        Some(&city.admin),
        json!({ "institutionId": institution.id }),
        &["MONTH"],
    )
    .await;
    let rows = months.data()["stats"].as_array().unwrap();
    let month_of_exam = exam.format("%Y-%m").to_string();
    let in_exam_month: i64 = rows
        .iter()
        .filter(|r| r["month"] == month_of_exam.as_str())
        .map(|r| r["certifiedPersons"].as_i64().unwrap() + r["completions"].as_i64().unwrap())
        .sum();
    assert_eq!(
        in_exam_month, 2,
        "certified and completed in {month_of_exam}: {rows:?}"
    );
    assert!(discrepancies(&app).await.is_empty());
}

#[tokio::test]
async fn record_results_passes_and_fails_people_matched_by_their_documents() {
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 2).await;
    let exam = days_from_today(-3).to_string();

    let response = record(
        &app,
        &institution.admin,
        &course,
        json!([
            { "idNumber": people[0], "passed": true, "score": 90, "assessedOn": exam },
            { "idNumber": people[1], "passed": false, "score": 30 },
        ]),
        None,
    )
    .await;

    let payload = payload(&response, "recordResults");
    assert_eq!(payload["passedCount"], 1);
    assert_eq!(payload["failedCount"], 1);
    assert_eq!(payload["refusedCount"], 0);
    assert_eq!(payload["applied"], true);
    let passed = row(payload, 0);
    assert_eq!(passed["changed"], true);
    assert_eq!(passed["enrolment"]["status"], "COMPLETED");
    assert_eq!(passed["enrolment"]["score"], 90);
    assert_eq!(passed["enrolment"]["assessedOn"], exam);
    assert_eq!(passed["certificate"]["issuedOn"], exam);
    assert_eq!(passed["certificate"]["status"], "VALID");
    assert_eq!(
        passed["enrolment"]["certificate"]["number"],
        passed["certificate"]["number"]
    );
    let failed = row(payload, 1);
    assert_eq!(failed["changed"], true);
    assert_eq!(failed["enrolment"]["status"], "FAILED");
    assert_eq!(failed["enrolment"]["assessedOn"], today().to_string());
    assert!(failed["certificate"].is_null());
    assert_eq!(app.count("certificate").await, 1);
    assert!(discrepancies(&app).await.is_empty());
}

#[tokio::test]
async fn repeating_recorded_results_changes_nothing_and_contradicting_them_is_a_conflict_on_passed()
{
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 2).await;
    let rows = json!([
        { "idNumber": people[0], "passed": true, "score": 80 },
        { "idNumber": people[1], "passed": false },
    ]);
    let first = record(&app, &institution.admin, &course, rows.clone(), None).await;
    let number = row(payload(&first, "recordResults"), 0)["certificate"]["number"].clone();
    let before = written(&app).await;

    let again = record(&app, &institution.admin, &course, rows, None).await;
    let repeat = payload(&again, "recordResults");
    assert_eq!(
        [
            &repeat["passedCount"],
            &repeat["failedCount"],
            &repeat["refusedCount"]
        ],
        [0, 0, 0]
    );
    for index in 0..2 {
        assert_eq!(row(repeat, index)["changed"], false);
        assert!(row(repeat, index)["error"].is_null());
    }
    assert_eq!(row(repeat, 0)["certificate"]["number"], number);
    assert_eq!(
        written(&app).await,
        before,
        "a repeat writes nothing, not even an audit entry"
    );

    let contradiction = record(
        &app,
        &institution.admin,
        &course,
        json!([
            { "idNumber": people[0], "passed": false },
            { "idNumber": people[1], "passed": true },
            { "idNumber": people[0].to_lowercase(), "passed": true, "score": 81 },
        ]),
        None,
    )
    .await;
    let refused = payload(&contradiction, "recordResults");
    assert_refused(row(refused, 0), "CONFLICT", "passed");
    assert_refused(row(refused, 1), "CONFLICT", "passed");
    assert_refused(row(refused, 2), "CONFLICT", "idNumber");
    assert_eq!(refused["refusedCount"], 3);
    assert_eq!(written(&app).await[..3], before[..3]);
    assert!(discrepancies(&app).await.is_empty());
}

#[tokio::test]
async fn a_document_without_an_enrolment_in_the_course_is_not_found_on_id_number() {
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 1).await;
    let other_course = institution.course(NewCourse::host()).await;
    let elsewhere = enrol_people(&app, &institution, &other_course, 1).await;
    let withdrawn = resident_id();
    let person = institution.person("李四", &withdrawn).await;
    let enrolment_id = enrolled(&app, &institution.admin, &person, &course).await;
    let left = withdraw(&app, &institution.admin, &enrolment_id).await;
    assert_eq!(left.data()["withdrawEnrolment"]["status"], "WITHDRAWN");
    let before = written(&app).await;

    let response = record(
        &app,
        &institution.admin,
        &course,
        json!([
            { "idNumber": resident_id(), "passed": true },
            { "idNumber": elsewhere[0], "passed": true },
            { "idNumber": withdrawn, "passed": true },
            { "idNumber": "440305199003071230", "passed": true },
            { "idNumber": people[0], "passed": true, "assessedOn": days_from_today(2).to_string() },
        ]),
        None,
    )
    .await;

    let payload = payload(&response, "recordResults");
    assert_refused(row(payload, 0), "NOT_FOUND", "idNumber");
    assert_refused(row(payload, 1), "NOT_FOUND", "idNumber");
    assert_refused(row(payload, 2), "CONFLICT", "idNumber");
    assert_refused(row(payload, 3), "BAD_USER_INPUT", "idNumber");
    assert_refused(row(payload, 4), "BAD_USER_INPUT", "assessedOn");
    assert_eq!(payload["refusedCount"], 5);
    assert_eq!(written(&app).await[..3], before[..3]);
}

#[tokio::test]
async fn another_institutions_course_is_answered_as_an_unknown_course() {
    let app = spawn_app().await;
    let (city, _, course, people) = course_with(&app, 1).await;
    let stranger = city.institution().await;
    let before = written(&app).await;

    for course in [course.as_str(), "0190b2a4-0000-7000-8000-000000000000"] {
        let response = record(
            &app,
            &stranger.admin,
            course,
            json!([{ "idNumber": people[0], "passed": true }]),
            None,
        )
        .await;
        assert_eq!(response.code(), "NOT_FOUND", "course {course}");
        assert_eq!(response.field(), None);
    }
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn all_or_nothing_and_dry_run_write_nothing_and_say_what_would_happen() {
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 2).await;
    let rows = json!([
        { "idNumber": people[0], "passed": true },
        { "idNumber": people[1], "passed": false },
        { "idNumber": people[0], "passed": true },
    ]);
    let before = written(&app).await;

    let strict = record(
        &app,
        &institution.admin,
        &course,
        rows.clone(),
        Some("ALL_OR_NOTHING"),
    )
    .await;
    let strict = payload(&strict, "recordResults");
    assert_eq!(strict["applied"], false);
    assert_refused(row(strict, 2), "CONFLICT", "idNumber");
    assert_eq!(row(strict, 0)["changed"], false);
    assert_eq!(written(&app).await[..3], before[..3]);

    let dry = record(
        &app,
        &institution.admin,
        &course,
        rows.clone(),
        Some("DRY_RUN"),
    )
    .await;
    let dry = payload(&dry, "recordResults");
    assert_eq!(dry["applied"], false);
    assert_eq!(row(dry, 0)["changed"], true);
    assert!(row(dry, 0)["enrolment"].is_null());
    assert_eq!([&dry["passedCount"], &dry["failedCount"]], [1, 1]);
    assert_eq!(written(&app).await[..3], before[..3]);

    let applied = record(&app, &institution.admin, &course, rows, None).await;
    let applied = payload(&applied, "recordResults");
    assert_eq!(applied["applied"], true);
    assert_eq!(
        [
            &applied["passedCount"],
            &applied["failedCount"],
            &applied["refusedCount"]
        ],
        [1, 1, 1]
    );
    assert_eq!(app.count("certificate").await, 1);
}

#[tokio::test]
async fn counts_after_a_bulk_run_equal_a_recount() {
    let app = spawn_app().await;
    let (city, institution, course, people) = course_with(&app, 60).await;
    let programme = city.programme(10, 10).await;
    let second = institution.course(NewCourse::host()).await;
    // Some people hold an earlier certificate of another course, and some are still in
    // training elsewhere.
    enrol_documents(&app, &institution, &second, &people[..10]).await;
    let earlier: Vec<Value> = people[..5]
        .iter()
        .map(|id| json!({ "idNumber": id, "passed": true, "assessedOn": days_from_today(-1).to_string() }))
        .collect();
    record(&app, &institution.admin, &second, json!(earlier), None)
        .await
        .data();

    let results: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "idNumber": id,
                "passed": i % 3 != 0,
                "score": 50 + i % 50,
                "assessedOn": days_from_today(-(i as i64 % 40)).to_string(),
            })
        })
        .collect();
    let response = record(&app, &institution.admin, &course, json!(results), None).await;

    let payload = payload(&response, "recordResults");
    assert_eq!(payload["passedCount"], 40);
    assert_eq!(payload["failedCount"], 20);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
    let host = progress(&app, &city.admin, &programme).await;
    assert_eq!(on_track(&host, "HOST")["certified"], 40 + 2, "{host:?}");
}

/// Uploads `file` to `importResults` of `course` as `token`.
async fn import(app: &TestApp, token: &str, course: &str, file: Vec<u8>) -> Gql {
    app.graphql_upload(
        Some(token),
        IMPORT,
        json!({ "input": { "courseId": course, "file": null } }),
        "variables.input.file",
        file,
    )
    .await
}

#[tokio::test]
async fn a_gbk_file_with_chinese_headers_records_results_and_a_rerun_changes_nothing() {
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 3).await;
    let exam = days_from_today(-5);
    let text = format!(
        "身份证号,证件类型,是否通过,成绩,考核日期\n\
         {},居民身份证,合格,88,{}\n\
         {},身份证,不合格,41,{}\n\
         \n\
         {},,通过,,\n\
         {},,也许,,\n",
        people[0],
        exam.format("%Y/%m/%d"),
        people[1],
        exam,
        people[2],
        resident_id(),
    );
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);

    let response = import(&app, &institution.admin, &course, gbk.to_vec()).await;

    let payload = payload(&response, "importResults");
    assert_eq!(
        [
            &payload["passedCount"],
            &payload["failedCount"],
            &payload["refusedCount"]
        ],
        [2, 1, 1]
    );
    let lines: Vec<&Value> = payload["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["index"])
        .collect();
    assert_eq!(lines, [2, 3, 5, 6]);
    assert_eq!(row(payload, 0)["certificate"]["issuedOn"], exam.to_string());
    assert_eq!(row(payload, 1)["enrolment"]["status"], "FAILED");
    assert_eq!(
        row(payload, 2)["enrolment"]["assessedOn"],
        today().to_string()
    );
    assert_refused(row(payload, 3), "BAD_USER_INPUT", "passed");
    let before = written(&app).await;

    let again = import(&app, &institution.admin, &course, gbk.to_vec()).await;
    let again = &again.data()["importResults"];
    assert_eq!(
        [
            &again["passedCount"],
            &again["failedCount"],
            &again["refusedCount"]
        ],
        [0, 0, 1]
    );
    let changed: Vec<&Value> = again["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["changed"])
        .collect();
    assert_eq!(changed, [false, false, false, false]);
    assert_eq!(
        written(&app).await[..3],
        before[..3],
        "the re-run writes nothing"
    );
    assert!(discrepancies(&app).await.is_empty());
}

#[tokio::test]
async fn a_utf8_file_with_a_bom_and_english_headers_reports_refused_rows_by_line() {
    let app = spawn_app().await;
    let (_, institution, course, people) = course_with(&app, 2).await;
    let text = format!(
        "\u{feff}idNumber,passed,score,assessedOn\n\
         {},true,75,{}\n\
         {},false,101,\n\
         {},yes,,{}\n",
        people[0],
        days_from_today(-2),
        people[1],
        resident_id(),
        days_from_today(1),
    );
    let before = written(&app).await;

    let response = import(&app, &institution.admin, &course, text.into_bytes()).await;

    let payload = payload(&response, "importResults");
    assert_eq!(row(payload, 0)["index"], 2);
    assert_eq!(row(payload, 0)["enrolment"]["status"], "COMPLETED");
    assert_eq!(row(payload, 1)["index"], 3);
    assert_refused(row(payload, 1), "BAD_USER_INPUT", "score");
    assert_eq!(row(payload, 2)["index"], 4);
    assert_refused(row(payload, 2), "NOT_FOUND", "idNumber");
    assert_eq!(written(&app).await[0], before[0] + 1);

    let unreadable = import(
        &app,
        &institution.admin,
        &course,
        b"idNumber,score\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(unreadable.code(), "BAD_USER_INPUT");
    assert_eq!(unreadable.field(), Some("file"));
}

#[tokio::test]
async fn a_withdrawn_enrolment_shows_when_and_why() {
    let app = spawn_app().await;
    let (institution, enrolment) = one_enrolment(&app).await;

    let response = app
        .graphql_as(
            Some(&institution.admin),
            "mutation($input: WithdrawEnrolmentInput!) {
               withdrawEnrolment(input: $input) { status withdrawnAt withdrawalReason assessedOn }
             }",
            json!({ "input": { "enrolmentId": enrolment, "reason": "moved away" } }),
        )
        .await;

    let left = &response.data()["withdrawEnrolment"];
    assert_eq!(left["status"], "WITHDRAWN");
    assert!(left["withdrawnAt"].is_string());
    assert_eq!(left["withdrawalReason"], "moved away");
    assert!(left["assessedOn"].is_null());
}

#[tokio::test]
async fn the_same_results_sent_twice_at_once_issue_each_certificate_once() {
    let app = spawn_app().await;
    let (city, institution, course, people) = course_with(&app, 30).await;
    let programme = city.programme(100, 100).await;
    let rows: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, id)| json!({ "idNumber": id, "passed": i % 2 == 0 }))
        .collect();

    let mut calls = JoinSet::new();
    for _ in 0..2 {
        let (app, token, course, rows) = (
            app.clone(),
            institution.admin.clone(),
            course.clone(),
            json!(rows),
        );
        calls.spawn(async move { record(&app, &token, &course, rows, None).await });
    }
    let mut passed = 0;
    while let Some(response) = calls.join_next().await {
        let response = response.unwrap();
        let payload = payload(&response, "recordResults");
        assert_eq!(payload["refusedCount"], 0, "{payload}");
        passed += payload["passedCount"].as_i64().unwrap();
    }

    assert_eq!(passed, 15, "each pass recorded by one of the two calls");
    assert_eq!(app.count("certificate").await, 15);
    assert!(discrepancies(&app).await.is_empty());
    let host = progress(&app, &city.admin, &programme).await;
    assert_eq!(on_track(&host, "HOST")["certified"], 15);
}

#[tokio::test]
async fn results_of_the_same_people_in_two_courses_recorded_at_once_count_each_person_once() {
    let app = spawn_app().await;
    let (city, institution, first, people) = course_with(&app, 20).await;
    let programme = city.programme(100, 100).await;
    let second = institution.course(NewCourse::host()).await;
    enrol_documents(&app, &institution, &second, &people).await;

    let mut calls = JoinSet::new();
    for (course, days_back) in [(first, 2), (second, 5)] {
        let (app, token) = (app.clone(), institution.admin.clone());
        let rows: Vec<Value> = people
            .iter()
            .map(|id| json!({ "idNumber": id, "passed": true, "assessedOn": days_from_today(-days_back).to_string() }))
            .collect();
        calls.spawn(async move { record(&app, &token, &course, json!(rows), None).await });
    }
    while let Some(response) = calls.join_next().await {
        let response = response.unwrap();
        assert_eq!(payload(&response, "recordResults")["passedCount"], 20);
    }

    assert_eq!(app.count("certificate").await, 40);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
    let host = progress(&app, &city.admin, &programme).await;
    assert_eq!(on_track(&host, "HOST")["certified"], 20);
    assert_eq!(on_track(&host, "HOST")["inTraining"], 0);
}

#[tokio::test]
async fn only_institution_roles_may_record_results_and_anonymous_callers_are_unauthenticated() {
    let app = spawn_app().await;
    let world = Roles::build(&app).await;
    let input = json!({ "input": {
        "courseId": world.course,
        "results": [{ "idNumber": resident_id(), "passed": true }],
    }});
    let before = written(&app).await;

    for (caller, code) in [
        (Caller::Anonymous, "UNAUTHENTICATED"),
        (Caller::CityAdmin, "FORBIDDEN"),
        (Caller::CityAnalyst, "FORBIDDEN"),
        (Caller::Trainee, "FORBIDDEN"),
    ] {
        let response = app
            .graphql_as(world.token(caller), RECORD, input.clone())
            .await;
        assert_eq!(response.code(), code, "{caller:?}: {}", response.body);
        assert_eq!(response.field(), None, "{caller:?}");
        assert_eq!(written(&app).await[..3], before[..3], "{caller:?}");
    }
    let staff = app
        .graphql_as(world.token(Caller::InstitutionStaff), RECORD, input)
        .await;
    assert_refused(
        row(payload(&staff, "recordResults"), 0),
        "NOT_FOUND",
        "idNumber",
    );
}
