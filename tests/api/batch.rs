//! `enrolMany`: per-row results, the three modes, retries, duplicates in one batch,
//! capacity, persons of other institutions, refusals, exact counts and concurrent batches.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, Institution, NewCourse, World, register_id};
use crate::support::flows::{self, enrolled};
use crate::support::gql::Gql;
use crate::support::ids::{resident_id, resident_id_ending_in_x, with_wrong_check};
use crate::support::reads::{counts, enrolled_count};
use crate::support::roles::{Caller, Roles};

/// `enrolMany`, selecting everything a test may assert on.
pub const ENROL_MANY: &str = "mutation($input: EnrolManyInput!) {
  enrolMany(input: $input) {
    createdCount failedCount applied
    results {
      index created activationCode
      trainee { id name nameMasked }
      enrolment { id status trainee { id } course { id } }
      error { code field message }
    }
  }
}";

/// `enrolMany` of `trainees` into `course` as `token`; `mode` None leaves the default.
async fn enrol_many(
    app: &TestApp,
    token: Option<&str>,
    course: &str,
    trainees: &[Value],
    mode: Option<&str>,
) -> Gql {
    let mut input = json!({ "courseId": course, "trainees": trainees });
    if let Some(mode) = mode {
        input["mode"] = json!(mode);
    }
    app.graphql_as(token, ENROL_MANY, json!({ "input": input }))
        .await
}

/// The payload of a response that must have no errors.
fn payload(response: &Gql) -> &Value {
    &response.data()["enrolMany"]
}

/// The per-row results of a payload.
fn results(payload: &Value) -> &Vec<Value> {
    payload["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {payload}"))
}

/// A valid row for a new person named `name`.
fn person(name: &str) -> Value {
    json!({ "name": name, "idNumber": resident_id() })
}

/// `n` valid rows of new people, with distinct identity numbers.
fn people(n: usize) -> Vec<Value> {
    const NAMES: [&str; 5] = ["张三", "李四", "王五", "赵六", "陈七"];
    let mut seen = HashSet::new();
    std::iter::repeat_with(resident_id)
        .filter(|id| seen.insert(id.clone()))
        .take(n)
        .enumerate()
        .map(|(i, id)| json!({ "name": NAMES[i % NAMES.len()], "idNumber": id }))
        .collect()
}

/// Asserts the row's error code and field.
fn assert_refused(row: &Value, code: &str, field: Option<&str>) {
    assert_eq!(row["error"]["code"], code, "{row}");
    assert_eq!(row["error"]["field"].as_str(), field, "{row}");
    assert_eq!(row["created"], false, "{row}");
    assert!(
        row["trainee"].is_null(),
        "a refused row has no trainee: {row}"
    );
    assert!(
        row["enrolment"].is_null(),
        "a refused row has no enrolment: {row}"
    );
}

/// Asserts the row enrolled a person into `course` in this call.
fn assert_created(row: &Value, course: &str) {
    assert!(row["error"].is_null(), "{row}");
    assert_eq!(row["created"], true, "{row}");
    assert_eq!(row["enrolment"]["status"], "ENROLLED", "{row}");
    assert_eq!(row["enrolment"]["course"]["id"], course, "{row}");
    assert_eq!(
        row["enrolment"]["trainee"]["id"], row["trainee"]["id"],
        "{row}"
    );
}

/// Asserts `index` runs 0..n-1 in order.
fn assert_in_input_order(payload: &Value, n: usize) {
    let indexes: Vec<i64> = results(payload)
        .iter()
        .map(|r| r["index"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = (0..i64::try_from(n).unwrap()).collect();
    assert_eq!(indexes, expected);
}

/// `totalCount` of `trainees` as `token`.
async fn trainee_total(app: &TestApp, token: &str) -> i64 {
    let response = app
        .graphql_as(Some(token), "{ trainees { totalCount } }", json!({}))
        .await;
    response.data()["trainees"]["totalCount"].as_i64().unwrap()
}

/// Rows of the tables a batch writes, counted in the database.
async fn table_counts(app: &TestApp) -> [i64; 4] {
    [
        app.count("trainee").await,
        app.count("enrolment").await,
        app.count("trainee_institution").await,
        app.count("person_track").await,
    ]
}

/// Discrepancies between the maintained counts and a recount.
async fn discrepancies(app: &TestApp) -> Vec<String> {
    talent_registry::service::counting::recount::verify(&app.db)
        .await
        .unwrap()
}

/// An institution with an open HOST course without capacity.
async fn arrange(app: &TestApp) -> (World, Institution, String) {
    let city = app.world().await;
    let own = city.institution().await;
    let course = own.course(NewCourse::host()).await;
    (city, own, course)
}

#[tokio::test]
async fn mixed_rows_enrol_the_valid_ones_and_refuse_each_invalid_one_on_its_field() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let rows = vec![
        json!({ "name": "张三", "idNumber": resident_id(), "phone": "13812345678", "district": "Nanshan" }),
        json!({ "name": "李四", "idNumber": with_wrong_check(&resident_id(), "0123456789X") }),
        person("王五"),
        json!({ "name": "张3", "idNumber": resident_id() }),
        json!({ "name": "赵六", "idNumber": resident_id(), "phone": "12345" }),
        json!({ "name": "陈七", "idNumber": resident_id(), "district": "Atlantis" }),
        json!({ "name": "Ali Khan", "idNumber": resident_id(), "district": "南山" }),
    ];

    let response = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    let payload = payload(&response);
    let rows = results(payload);
    assert_in_input_order(payload, 7);
    for (i, name, masked) in [
        (0, "张三", "张*"),
        (2, "王五", "王*"),
        (6, "Ali Khan", "A** ****"),
    ] {
        assert_created(&rows[i], &course);
        assert_eq!(rows[i]["trainee"]["name"], name, "{}", rows[i]);
        assert_eq!(rows[i]["trainee"]["nameMasked"], masked, "{}", rows[i]);
        assert!(
            rows[i]["activationCode"].as_str().is_some(),
            "a newly registered person gets a code: {}",
            rows[i]
        );
    }
    assert_refused(&rows[1], "BAD_USER_INPUT", Some("idNumber"));
    assert_refused(&rows[3], "BAD_USER_INPUT", Some("name"));
    assert_refused(&rows[4], "BAD_USER_INPUT", Some("phone"));
    assert_refused(&rows[5], "BAD_USER_INPUT", Some("district"));
    assert_eq!(payload["createdCount"], 3);
    assert_eq!(payload["failedCount"], 4);
    assert_eq!(payload["applied"], true);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 3);
    assert_eq!(app.count("enrolment").await, 3);
    assert_eq!(app.count("trainee").await, 3);
    assert_eq!(trainee_total(&app, &own.admin).await, 3);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn all_or_nothing_with_one_bad_row_writes_nothing_and_applies_fully_without_it() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let mut good = people(4);
    let bad = json!({ "name": "张三", "idNumber": "12345" });
    let mut rows = good.clone();
    rows.insert(2, bad);
    let before = table_counts(&app).await;
    let total_before = trainee_total(&app, &own.admin).await;

    let response = enrol_many(
        &app,
        Some(&own.admin),
        &course,
        &rows,
        Some("ALL_OR_NOTHING"),
    )
    .await;

    let refused = payload(&response);
    assert_eq!(refused["applied"], false);
    assert_eq!(refused["createdCount"], 0);
    assert_eq!(refused["failedCount"], 1);
    assert_in_input_order(refused, 5);
    for (i, row) in results(refused).iter().enumerate() {
        if i == 2 {
            assert_refused(row, "BAD_USER_INPUT", Some("idNumber"));
        } else {
            assert!(row["error"].is_null(), "{row}");
            assert_eq!(row["created"], false, "nothing was applied: {row}");
            assert!(
                row["trainee"].is_null() && row["enrolment"].is_null(),
                "{row}"
            );
            assert!(row["activationCode"].is_null(), "{row}");
        }
    }
    assert_eq!(table_counts(&app).await, before, "nothing is written");
    assert_eq!(trainee_total(&app, &own.admin).await, total_before);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 0);

    good.truncate(4);
    let response = enrol_many(
        &app,
        Some(&own.admin),
        &course,
        &good,
        Some("ALL_OR_NOTHING"),
    )
    .await;

    let applied = payload(&response);
    assert_eq!(applied["applied"], true);
    assert_eq!(applied["createdCount"], 4);
    assert_eq!(applied["failedCount"], 0);
    for row in results(applied) {
        assert_created(row, &course);
    }
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 4);
    assert_eq!(trainee_total(&app, &own.admin).await, total_before + 4);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_dry_run_reports_each_row_and_writes_nothing() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    // One person already enrolled: a dry run reports them as not created.
    let known = resident_id();
    let (known_id, _) = register_id(&app, &own.admin, "张三", &known).await;
    enrolled(&app, &own.admin, &known_id, &course).await;
    let rows = vec![
        person("李四"),
        json!({ "name": "张三", "idNumber": known }),
        json!({ "name": "", "idNumber": resident_id() }),
        person("王五"),
    ];
    let before = table_counts(&app).await;
    let total_before = trainee_total(&app, &own.admin).await;

    let response = enrol_many(&app, Some(&own.admin), &course, &rows, Some("DRY_RUN")).await;

    let payload = payload(&response);
    assert_eq!(payload["applied"], false);
    assert_eq!(payload["createdCount"], 2);
    assert_eq!(payload["failedCount"], 1);
    assert_in_input_order(payload, 4);
    let rows = results(payload);
    for i in [0, 3] {
        assert_eq!(rows[i]["created"], true, "would be enrolled: {}", rows[i]);
        assert!(rows[i]["error"].is_null(), "{}", rows[i]);
    }
    assert_eq!(rows[1]["created"], false, "already enrolled: {}", rows[1]);
    assert!(rows[1]["error"].is_null(), "{}", rows[1]);
    assert_refused(&rows[2], "BAD_USER_INPUT", Some("name"));
    for row in rows {
        assert!(
            row["trainee"].is_null() && row["enrolment"].is_null(),
            "{row}"
        );
        assert!(row["activationCode"].is_null(), "{row}");
    }
    assert_eq!(table_counts(&app).await, before, "nothing is written");
    assert_eq!(trainee_total(&app, &own.admin).await, total_before);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 1);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn repeating_a_batch_creates_nothing_and_returns_the_same_enrolments() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let mut rows = people(5);
    rows.push(json!({ "name": "张三", "idNumber": resident_id(), "phone": "not a phone" }));

    let first = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;
    let after_first = table_counts(&app).await;
    let again = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    let (first, again) = (payload(&first), payload(&again));
    assert_eq!(first["createdCount"], 5);
    assert_eq!(again["createdCount"], 0);
    assert_eq!(again["failedCount"], 1);
    assert_eq!(again["applied"], true);
    assert_in_input_order(again, 6);
    for (before, now) in results(first).iter().zip(results(again)).take(5) {
        assert_created(before, &course);
        assert!(before["activationCode"].as_str().is_some(), "{before}");
        assert_eq!(now["created"], false, "{now}");
        assert!(now["error"].is_null(), "{now}");
        assert_eq!(now["enrolment"]["id"], before["enrolment"]["id"]);
        assert_eq!(now["trainee"]["id"], before["trainee"]["id"]);
        assert_eq!(now["enrolment"]["status"], "ENROLLED");
        assert!(
            now["activationCode"].is_null(),
            "no code for a person already registered: {now}"
        );
    }
    assert_refused(&results(again)[5], "BAD_USER_INPUT", Some("phone"));
    assert_eq!(table_counts(&app).await, after_first, "no new rows");
    assert_eq!(after_first[0], 5);
    assert_eq!(after_first[1], 5);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 5);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_person_listed_twice_in_one_batch_is_enrolled_once_and_the_later_row_conflicts() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let with_x = resident_id_ending_in_x();
    let plain = resident_id();
    let rows = vec![
        json!({ "name": "张三", "idNumber": with_x }),
        json!({ "name": "李四", "idNumber": plain }),
        json!({ "name": "张三", "idNumber": with_x.to_lowercase() }),
        json!({ "name": "李肆", "idNumber": plain }),
        json!({ "name": "王五", "idNumber": format!(" {} ", &plain) }),
        person("赵六"),
    ];

    let response = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    let payload = payload(&response);
    let rows = results(payload);
    assert_in_input_order(payload, 6);
    for i in [0, 1, 5] {
        assert_created(&rows[i], &course);
    }
    for i in [2, 3, 4] {
        assert_refused(&rows[i], "CONFLICT", Some("idNumber"));
    }
    assert_eq!(payload["createdCount"], 3);
    assert_eq!(payload["failedCount"], 3);
    assert_eq!(app.count("trainee").await, 3);
    assert_eq!(app.count("enrolment").await, 3);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 3);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn rows_beyond_capacity_are_capacity_full_and_stay_so_on_a_retry() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(3)
        .create(&app, &staff, &institution)
        .await;
    let rows = people(5);

    let first = enrol_many(&app, Some(&staff), &course, &rows, None).await;
    let again = enrol_many(&app, Some(&staff), &course, &rows, None).await;

    let (first, again) = (payload(&first), payload(&again));
    assert_eq!(first["createdCount"], 3);
    assert_eq!(first["failedCount"], 2);
    for row in &results(first)[..3] {
        assert_created(row, &course);
    }
    for row in &results(first)[3..] {
        assert_refused(row, "CAPACITY_FULL", None);
    }
    assert_eq!(again["createdCount"], 0);
    assert_eq!(again["failedCount"], 2);
    for (before, now) in results(first).iter().zip(results(again)).take(3) {
        assert_eq!(now["created"], false, "{now}");
        assert!(
            now["error"].is_null(),
            "already enrolled is no refusal: {now}"
        );
        assert_eq!(now["enrolment"]["id"], before["enrolment"]["id"]);
    }
    for row in &results(again)[3..] {
        assert_refused(row, "CAPACITY_FULL", None);
    }
    assert_eq!(enrolled_count(&app, &admin, &course).await, 3);
    assert_eq!(app.count("enrolment").await, 3);
    assert_eq!(
        app.count("trainee").await,
        3,
        "no person is registered for a row refused for capacity"
    );
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_person_registered_by_another_institution_is_found_enrolled_and_then_listed() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let (_, other) = app.institution_with_admin(&city.admin).await;
    let id_number = resident_id();
    let (theirs, _) = register_id(&app, &other, "张三", &id_number).await;
    let listed = |token: String| {
        let app = &app;
        async move { app.ids(&token, "trainees").await }
    };
    assert!(!listed(own.admin.clone()).await.contains(&theirs));

    let rows = vec![json!({ "name": "张三", "idNumber": id_number })];
    let response = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    let row = &results(payload(&response))[0];
    assert_created(row, &course);
    assert_eq!(row["trainee"]["id"], theirs.as_str(), "the same person");
    assert!(
        row["activationCode"].is_null(),
        "no code for a person registered elsewhere: {row}"
    );
    assert_eq!(app.count("trainee").await, 1);
    assert!(listed(own.admin.clone()).await.contains(&theirs));
    assert!(
        listed(other).await.contains(&theirs),
        "still listed by the first institution"
    );
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn another_institutions_course_is_not_found_and_writes_nothing() {
    let app = spawn_app().await;
    let world = Roles::build(&app).await;
    let before = table_counts(&app).await;

    let response = enrol_many(
        &app,
        world.token(Caller::InstitutionAdmin),
        &world.other_course,
        &people(2),
        None,
    )
    .await;

    assert_eq!(response.code(), "NOT_FOUND", "{}", response.body);
    assert_eq!(table_counts(&app).await, before);
}

#[tokio::test]
async fn only_institution_roles_may_enrol_many_and_anonymous_callers_are_unauthenticated() {
    let app = spawn_app().await;
    let world = Roles::build(&app).await;
    let before = table_counts(&app).await;

    for (caller, code) in [
        (Caller::Anonymous, "UNAUTHENTICATED"),
        (Caller::CityAdmin, "FORBIDDEN"),
        (Caller::CityAnalyst, "FORBIDDEN"),
        (Caller::Trainee, "FORBIDDEN"),
    ] {
        let response = enrol_many(&app, world.token(caller), &world.course, &people(2), None).await;
        assert_eq!(response.code(), code, "{caller:?}: {}", response.body);
        assert_eq!(table_counts(&app).await, before, "{caller:?}");
    }
    let response = enrol_many(
        &app,
        world.token(Caller::InstitutionStaff),
        &world.course,
        &people(2),
        None,
    )
    .await;
    assert_eq!(payload(&response)["createdCount"], 2, "staff may");
}

#[tokio::test]
async fn an_ended_course_is_refused_on_course_id() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .ended()
        .create(&app, &staff, &institution)
        .await;
    let before = table_counts(&app).await;

    let response = enrol_many(&app, Some(&staff), &course, &people(2), None).await;

    assert_eq!(response.code(), "BAD_USER_INPUT", "{}", response.body);
    assert_eq!(response.field(), Some("courseId"));
    assert_eq!(table_counts(&app).await, before);
}

#[tokio::test]
async fn a_batch_of_more_than_ten_thousand_rows_is_refused_on_trainees() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app).await;
    // One person repeated: cheap to build, and the limit is checked before any row.
    let rows = vec![person("张三"); 10_001];
    let before = table_counts(&app).await;

    let response = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    assert_eq!(
        response.code(),
        "BAD_USER_INPUT",
        "{}",
        response.body["errors"]
    );
    assert_eq!(response.field(), Some("trainees"));
    assert_eq!(table_counts(&app).await, before);

    // Exactly 10,000 rows are taken: one person, then 9,999 repeats of them.
    let response = app
        .graphql_as(
            Some(&own.admin),
            "mutation($input: EnrolManyInput!) { enrolMany(input: $input) { createdCount failedCount } }",
            json!({ "input": { "courseId": course, "trainees": &rows[..10_000] } }),
        )
        .await;
    let payload = &response.data()["enrolMany"];
    assert_eq!(payload["createdCount"], 1);
    assert_eq!(payload["failedCount"], 9_999);
}

#[tokio::test]
async fn counts_stay_exact_after_a_batch() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let programme = city.programme(100, 100).await;
    // A person already in training on HOST counts once more after the batch enrols them.
    let known = resident_id();
    let (known_id, _) = register_id(&app, &own.admin, "张三", &known).await;
    let other_host = NewCourse::host()
        .level(4)
        .create(&app, &own.admin, &own.id)
        .await;
    enrolled(&app, &own.admin, &known_id, &other_host).await;
    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (0, 1));
    let mut rows = people(6);
    rows.push(json!({ "name": "张三", "idNumber": known }));
    rows.push(rows[0].clone());
    rows.push(json!({ "name": "张三", "idNumber": "1" }));

    let response = enrol_many(&app, Some(&own.admin), &course, &rows, None).await;

    let payload = payload(&response);
    assert_eq!(payload["createdCount"], 7);
    assert_eq!(payload["failedCount"], 2);
    assert_eq!(
        counts(&app, &city.admin, &programme, "HOST").await,
        (0, 7),
        "six new persons and one already in training"
    );
    assert_eq!(
        counts(&app, &city.admin, &programme, "PROFESSIONAL").await,
        (0, 0)
    );
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_identical_batches_sent_at_once_enrol_each_person_exactly_once() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let rows = people(20);

    let (a, b) = tokio::join!(
        enrol_many(&app, Some(&own.admin), &course, &rows, None),
        enrol_many(&app, Some(&own.admin), &course, &rows, None),
    );

    let (a, b) = (payload(&a), payload(&b));
    assert_eq!(
        a["createdCount"].as_i64().unwrap() + b["createdCount"].as_i64().unwrap(),
        20,
        "{a}\n{b}"
    );
    let mut enrolments = HashSet::new();
    for (i, (x, y)) in results(a).iter().zip(results(b)).enumerate() {
        assert!(
            x["error"].is_null() && y["error"].is_null(),
            "row {i}: {x} {y}"
        );
        let created = [x, y].iter().filter(|r| r["created"] == true).count();
        assert_eq!(created, 1, "row {i} is created exactly once: {x} {y}");
        assert_eq!(x["enrolment"]["id"], y["enrolment"]["id"], "row {i}");
        assert_eq!(x["trainee"]["id"], y["trainee"]["id"], "row {i}");
        enrolments.insert(x["enrolment"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(enrolments.len(), 20);
    assert_eq!(app.count("enrolment").await, 20);
    assert_eq!(app.count("trainee").await, 20);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 20);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_cohorts_sent_at_once_by_two_institutions_in_opposite_orders_both_apply() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let (other, other_staff) = app.institution_with_admin(&city.admin).await;
    let other_course = NewCourse::host().create(&app, &other_staff, &other).await;
    let everyone = people(1500);
    for (round, rows) in everyone.chunks(300).enumerate() {
        let reversed: Vec<Value> = rows.iter().rev().cloned().collect();

        let (a, b) = tokio::join!(
            enrol_many(&app, Some(&own.admin), &course, rows, None),
            enrol_many(&app, Some(&other_staff), &other_course, &reversed, None),
        );

        for response in [&a, &b] {
            assert!(
                response.body.get("errors").is_none(),
                "round {round}: {}",
                response.body["errors"]
            );
            let payload = payload(response);
            let missed: Vec<&Value> = results(payload)
                .iter()
                .filter(|r| r["created"] != true)
                .collect();
            assert_eq!(missed, Vec::<&Value>::new(), "round {round}");
            assert_eq!(payload["createdCount"], 300, "round {round}");
        }
    }
    assert_eq!(app.count("trainee").await, 1500);
    assert_eq!(app.count("enrolment").await, 3000);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn known_people_sent_at_once_into_two_courses_of_one_institution_in_opposite_orders_both_apply()
 {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app).await;
    let second_course = NewCourse::professional()
        .create(&app, &own.admin, &own.id)
        .await;
    // Registered by another institution: this one does not own them yet.
    let (other, other_staff) = app.institution_with_admin(&city.admin).await;
    let other_course = NewCourse::host()
        .level(4)
        .create(&app, &other_staff, &other)
        .await;
    let everyone = people(3000);
    for rows in everyone.chunks(1000) {
        let response = enrol_many(&app, Some(&other_staff), &other_course, rows, None).await;
        assert_eq!(payload(&response)["createdCount"], 1000);
    }
    for (round, rows) in everyone.chunks(500).enumerate() {
        let reversed: Vec<Value> = rows.iter().rev().cloned().collect();

        let (a, b) = tokio::join!(
            enrol_many(&app, Some(&own.admin), &course, rows, None),
            enrol_many(&app, Some(&own.admin), &second_course, &reversed, None),
        );

        for response in [&a, &b] {
            assert!(
                response.body.get("errors").is_none(),
                "round {round}: {}",
                response.body["errors"]
            );
            assert_eq!(payload(response)["createdCount"], 500, "round {round}");
        }
    }
    assert_eq!(app.count("trainee").await, 3000);
    assert_eq!(app.count("enrolment").await, 9000);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn rows_beyond_capacity_show_in_a_dry_run_and_refuse_an_all_or_nothing_batch() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(2)
        .create(&app, &staff, &institution)
        .await;
    let rows = people(3);
    let before = table_counts(&app).await;

    for mode in ["DRY_RUN", "ALL_OR_NOTHING"] {
        let response = enrol_many(&app, Some(&staff), &course, &rows, Some(mode)).await;

        let payload = payload(&response);
        assert_eq!(payload["applied"], false, "{mode}");
        assert_eq!(payload["failedCount"], 1, "{mode}");
        assert_refused(&results(payload)[2], "CAPACITY_FULL", None);
        assert_eq!(table_counts(&app).await, before, "{mode}");
    }
    let response = enrol_many(
        &app,
        Some(&staff),
        &course,
        &rows[..2],
        Some("ALL_OR_NOTHING"),
    )
    .await;
    assert_eq!(payload(&response)["createdCount"], 2);
    assert_eq!(enrolled_count(&app, &admin, &course).await, 2);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_racing_single_enrolments_for_the_seats_never_exceeds_capacity() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(10)
        .create(&app, &staff, &institution)
        .await;
    let mut singles = Vec::new();
    for _ in 0..10 {
        singles.push(fixtures::trainee(&app, &staff).await);
    }
    let rows = people(10);

    let mut set = JoinSet::new();
    for trainee in singles {
        let (app, staff, course) = (Arc::clone(&app), staff.clone(), course.clone());
        set.spawn(async move { flows::enrol(&app, Some(&staff), &trainee, &course).await });
    }
    let batch = enrol_many(&app, Some(&staff), &course, &rows, None).await;
    let singles = set.join_all().await;

    let single_created = singles
        .iter()
        .filter(|r| r.body["data"]["enrol"]["created"] == true)
        .count();
    let single_refused: Vec<&str> = singles
        .iter()
        .filter(|r| r.body.get("errors").is_some())
        .map(Gql::code)
        .collect();
    assert_eq!(single_refused, vec!["CAPACITY_FULL"; 10 - single_created]);
    let batch = payload(&batch);
    let batch_created = usize::try_from(batch["createdCount"].as_i64().unwrap()).unwrap();
    for row in results(batch) {
        if row["created"] != true {
            assert_refused(row, "CAPACITY_FULL", None);
        }
    }
    assert_eq!(single_created + batch_created, 10, "{batch}");
    assert_eq!(app.count("enrolment").await, 10);
    assert_eq!(enrolled_count(&app, &admin, &course).await, 10);
    assert_eq!(discrepancies(&app).await, Vec::<String>::new());
}
