//! A course without a capacity keeps its seats taken in shards (so enrolments into it do
//! not queue on its row): its `enrolledCount` still counts every seat, and giving it a
//! capacity judges that capacity against all of them, also while enrolments run.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, NewCourse};
use crate::support::flows::{enrol, enrolled, withdraw};
use crate::support::gql::Gql;
use crate::support::reads::{count, enrolled_count};

const UPDATE_COURSE: &str = "mutation($input: UpdateCourseInput!) {
  updateCourse(input: $input) { capacity enrolledCount }
}";

async fn set_capacity(app: &TestApp, token: &str, course: &str, capacity: Value) -> Gql {
    app.graphql_as(
        Some(token),
        UPDATE_COURSE,
        json!({ "input": { "courseId": course, "capacity": capacity } }),
    )
    .await
}

#[tokio::test]
async fn an_open_course_counts_every_seat_and_a_new_capacity_is_judged_against_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let mut enrolments = Vec::new();
    for _ in 0..4 {
        let person = fixtures::trainee(&app, &staff).await;
        enrolments.push(enrolled(&app, &staff, &person, &course).await);
    }
    assert_eq!(enrolled_count(&app, &admin, &course).await, 4);
    withdraw(&app, &staff, &enrolments[0]).await.data();
    assert_eq!(enrolled_count(&app, &admin, &course).await, 3);

    let below = set_capacity(&app, &staff, &course, json!(2)).await;
    assert_eq!(below.code(), "CONFLICT");
    assert_eq!(below.field(), Some("capacity"));
    let set = set_capacity(&app, &staff, &course, json!(3)).await;
    assert_eq!(
        set.data()["updateCourse"],
        json!({ "capacity": 3, "enrolledCount": 3 })
    );
    let late = fixtures::trainee(&app, &staff).await;
    assert_eq!(
        enrol(&app, Some(&staff), &late, &course).await.code(),
        "CAPACITY_FULL"
    );

    let opened = set_capacity(&app, &staff, &course, Value::Null).await;
    assert_eq!(
        opened.data()["updateCourse"],
        json!({ "capacity": null, "enrolledCount": 3 })
    );
    enrolled(&app, &staff, &late, &course).await;
    assert_eq!(enrolled_count(&app, &admin, &course).await, 4);
}

#[tokio::test]
async fn a_capacity_given_while_twenty_people_enrol_is_never_passed() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let mut people = Vec::new();
    for _ in 0..20 {
        people.push(fixtures::trainee(&app, &staff).await);
    }

    let mut enrolments = JoinSet::new();
    for (i, person) in people.into_iter().enumerate() {
        let (a, token, id) = (Arc::clone(&app), staff.clone(), course.clone());
        enrolments.spawn(async move { enrol(&a, Some(&token), &person, &id).await });
        if i == 3 {
            let (a, token, id) = (Arc::clone(&app), staff.clone(), course.clone());
            enrolments.spawn(async move { set_capacity(&a, &token, &id, json!(10)).await });
        }
    }
    let responses = enrolments.join_all().await;

    let created = responses
        .iter()
        .filter(|r| r.body["data"]["enrol"]["created"] == true)
        .count() as i64;
    let capacity_set = responses
        .iter()
        .any(|r| r.body["data"]["updateCourse"]["capacity"] == 10);
    for refused in responses.iter().filter(|r| r.body.get("errors").is_some()) {
        let expected = if refused.body["errors"][0]["path"][0] == "updateCourse" {
            "CONFLICT"
        } else {
            "CAPACITY_FULL"
        };
        assert_eq!(refused.code(), expected, "{:?}", refused.body);
    }
    let held = count(&app, "SELECT COUNT(*) AS n FROM enrolment").await;
    assert_eq!(held, created);
    assert_eq!(enrolled_count(&app, &admin, &course).await, created);
    if capacity_set {
        assert!(created <= 10, "{created} enrolled past a capacity of 10");
    } else {
        assert_eq!(
            created, 20,
            "the capacity was refused only with more than 10 enrolled"
        );
    }
}
