//! `enrol`: idempotence and capacity under concurrent requests, and refusals.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, NewCourse};
use crate::support::flows::enrol;
use crate::support::gql::Gql;
use crate::support::reads::{count, enrolled_count};

/// Sends each (trainee, course) pair as its own concurrent request, signed in as `token`.
async fn enrol_concurrently(
    app: &Arc<TestApp>,
    calls: Vec<(String, String, String)>,
) -> Vec<(String, Gql)> {
    let mut set = JoinSet::new();
    for (token, trainee, course) in calls {
        let app = Arc::clone(app);
        set.spawn(async move {
            let response = enrol(&app, Some(&token), &trainee, &course).await;
            (trainee, response)
        });
    }
    set.join_all().await
}

#[tokio::test]
async fn forty_concurrent_identical_enrolments_make_one_enrolment() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(10)
        .create(&app, &staff, &institution)
        .await;
    let trainee = fixtures::trainee(&app, &staff).await;

    let calls = (0..40)
        .map(|_| (staff.clone(), trainee.clone(), course.clone()))
        .collect();
    let responses = enrol_concurrently(&app, calls).await;

    let payloads: Vec<&Value> = responses
        .iter()
        .map(|(_, response)| &response.data()["enrol"])
        .collect();
    let created = payloads.iter().filter(|p| p["created"] == true).count();
    let ids: HashSet<&Value> = payloads.iter().map(|p| &p["enrolment"]["id"]).collect();
    assert_eq!(created, 1, "exactly one call creates the enrolment");
    assert_eq!(
        ids.len(),
        1,
        "every call returns the same enrolment: {ids:?}"
    );
    assert_eq!(enrolled_count(&app, &admin, &course).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM enrolment").await, 1);
}

#[tokio::test]
async fn twenty_concurrent_trainees_fill_five_seats_and_the_rest_find_the_course_full() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(5)
        .create(&app, &staff, &institution)
        .await;
    let mut calls = Vec::new();
    for _ in 0..20 {
        let trainee = fixtures::trainee(&app, &staff).await;
        calls.push((staff.clone(), trainee, course.clone()));
    }

    let responses = enrol_concurrently(&app, calls).await;

    let enrolled = responses
        .iter()
        .filter(|(_, r)| r.body["data"]["enrol"]["created"] == true)
        .count();
    let full: Vec<&str> = responses
        .iter()
        .filter(|(_, r)| r.body.get("errors").is_some())
        .map(|(_, r)| r.code())
        .collect();
    assert_eq!(enrolled, 5, "{responses:?}");
    assert_eq!(full, vec!["CAPACITY_FULL"; 15]);
    assert_eq!(enrolled_count(&app, &admin, &course).await, 5);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM enrolment").await, 5);
}

#[tokio::test]
async fn two_institutions_enrolling_at_once_into_their_own_courses_all_succeed() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (first, first_admin) = app.institution_with_admin(&admin).await;
    let (second, second_admin) = app.institution_with_admin(&admin).await;
    let first_course = NewCourse::host().create(&app, &first_admin, &first).await;
    let second_course = NewCourse::professional()
        .capacity(10)
        .create(&app, &second_admin, &second)
        .await;
    let mut calls = Vec::new();
    for _ in 0..10 {
        let a = fixtures::trainee(&app, &first_admin).await;
        let b = fixtures::trainee(&app, &second_admin).await;
        calls.push((first_admin.clone(), a, first_course.clone()));
        calls.push((second_admin.clone(), b, second_course.clone()));
    }

    let responses = enrol_concurrently(&app, calls).await;

    for (trainee, response) in &responses {
        let payload = &response.data()["enrol"];
        assert_eq!(payload["created"], true, "{trainee}: {}", response.body);
        assert_eq!(payload["enrolment"]["trainee"]["id"], trainee.as_str());
    }
    assert_eq!(enrolled_count(&app, &admin, &first_course).await, 10);
    assert_eq!(enrolled_count(&app, &admin, &second_course).await, 10);
}

#[tokio::test]
async fn enrolling_again_returns_the_same_enrolment_not_created() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(1)
        .create(&app, &staff, &institution)
        .await;
    let trainee = fixtures::trainee(&app, &staff).await;

    let first = enrol(&app, Some(&staff), &trainee, &course).await;
    let again = enrol(&app, Some(&staff), &trainee, &course).await;

    let (first, again) = (&first.data()["enrol"], &again.data()["enrol"]);
    assert_eq!(first["created"], true);
    assert_eq!(
        again["created"], false,
        "a repeat on a full course is no refusal"
    );
    assert_eq!(first["enrolment"]["id"], again["enrolment"]["id"]);
    assert_eq!(again["enrolment"]["status"], "ENROLLED");
    assert_eq!(enrolled_count(&app, &admin, &course).await, 1);
}

/// A refused `enrol`: why, as whom, trainee id, course id, expected code and field.
type Refusal<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
);

#[tokio::test]
async fn refused_enrolments_carry_their_code_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let (other, other_admin) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let ended = NewCourse::host()
        .ended()
        .create(&app, &staff, &institution)
        .await;
    let others_course = NewCourse::host().create(&app, &other_admin, &other).await;
    let full = NewCourse::host()
        .capacity(1)
        .create(&app, &staff, &institution)
        .await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let seated = fixtures::trainee(&app, &staff).await;
    assert_eq!(
        enrol(&app, Some(&staff), &seated, &full).await.data()["enrol"]["created"],
        true
    );
    let unknown = Uuid::now_v7().to_string();
    let cases: [Refusal; 11] = [
        (
            "unknown trainee",
            Some(&staff),
            &unknown,
            &course,
            "NOT_FOUND",
            None,
        ),
        (
            "unknown trainee, full course",
            Some(&staff),
            &unknown,
            &full,
            "NOT_FOUND",
            None,
        ),
        (
            "known trainee, full course",
            Some(&staff),
            &trainee,
            &full,
            "CAPACITY_FULL",
            None,
        ),
        (
            "unknown course",
            Some(&staff),
            &trainee,
            &unknown,
            "NOT_FOUND",
            None,
        ),
        (
            "another institution's course",
            Some(&staff),
            &trainee,
            &others_course,
            "NOT_FOUND",
            None,
        ),
        (
            "a course that has ended",
            Some(&staff),
            &trainee,
            &ended,
            "BAD_USER_INPUT",
            Some("courseId"),
        ),
        (
            "malformed trainee id",
            Some(&staff),
            "not-an-id",
            &course,
            "BAD_USER_INPUT",
            Some("traineeId"),
        ),
        (
            "malformed course id",
            Some(&staff),
            &trainee,
            "42",
            "BAD_USER_INPUT",
            Some("courseId"),
        ),
        (
            "city admin",
            Some(&admin),
            &trainee,
            &course,
            "FORBIDDEN",
            None,
        ),
        (
            "admin of another institution",
            Some(&other_admin),
            &trainee,
            &course,
            "NOT_FOUND",
            None,
        ),
        (
            "anonymous",
            None,
            &trainee,
            &course,
            "UNAUTHENTICATED",
            None,
        ),
    ];

    for (why, token, trainee, course, code, field) in cases {
        let response = enrol(&app, token, trainee, course).await;

        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(response.code(), code, "{why}: {}", response.body);
        if field.is_some() {
            assert_eq!(response.field(), field, "{why}: {}", response.body);
        }
    }
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM enrolment").await, 1);
    for course in [&course, &ended, &others_course] {
        assert_eq!(enrolled_count(&app, &admin, course).await, 0);
    }
    assert_eq!(enrolled_count(&app, &admin, &full).await, 1);
}

#[tokio::test]
async fn an_open_course_given_a_capacity_during_an_enrolment_takes_no_seat_past_it() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
    use talent_registry::auth::CurrentUser;
    use talent_registry::domain::Role;
    use talent_registry::entity::{course, enrolment};
    use talent_registry::error::AppError;
    use talent_registry::service::{admission, counting};

    // Arrange: an open course (no capacity) with one person enrolled, as an enrolment
    // read it before its transaction; then its admin sets a capacity of 1.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let open = NewCourse::host().create(&app, &staff, &institution).await;
    let first = fixtures::trainee(&app, &staff).await;
    let second = fixtures::trainee(&app, &staff).await;
    enrol(&app, Some(&staff), &first, &open).await.data();
    let id = |text: &str| Uuid::parse_str(text).unwrap();
    let read = course::Entity::find_by_id(id(&open))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.capacity, None);
    let set = app
        .graphql_as(
            Some(&staff),
            "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { capacity } }",
            serde_json::json!({ "input": { "courseId": open, "capacity": 1 } }),
        )
        .await;
    assert_eq!(set.data()["updateCourse"]["capacity"], 1);

    // Act: the enrolment goes on with the course as it read it.
    let actor = CurrentUser {
        user_id: Uuid::nil(),
        role: Role::InstitutionAdmin,
        institution_id: Some(id(&institution)),
        trainee_id: None,
        client: None,
        must_change_password: false,
    };
    let district = counting::district_of(&app.db, id(&institution))
        .await
        .unwrap();
    let txn = app.db.begin().await.unwrap();
    let held = admission::hold(&txn, &read).await.unwrap();
    let mut tally = counting::Tally::new();
    let trainees = [id(&second)];
    let admitted = admission::admit(
        &txn, &mut tally, &actor, "enrol", &held, &district, &trainees, None,
    )
    .await
    .unwrap();
    assert!(admitted[0].as_ref().is_some_and(|a| a.created));
    let sent = tally.send(&txn).await;
    drop(txn);

    // Assert: refused as full, and nothing of it stays.
    assert!(matches!(sent, Err(AppError::CapacityFull)), "{sent:?}");
    assert_eq!(enrolled_count(&app, &admin, &open).await, 1);
    let held = enrolment::Entity::find()
        .filter(enrolment::Column::TraineeId.eq(id(&second)))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(held, 0);
}
