//! `enrol` into a course the server remembers from an earlier enrolment (PostgreSQL):
//! the remembered course is only a guess, so a course changed since, a programme added
//! since, a person on the track already, or another institution's trainee or course are
//! answered exactly as without the memory, and every count stays exact.

use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;

use crate::goals::assert_counts_exact;
use crate::support::app::{TestApp, require_postgres, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World};
use crate::support::flows::{enrol, enrolled};
use crate::support::reads::{counts, enrolled_count};

/// A fresh registry with one institution and a host course of it into which a first
/// person is enrolled, so that the server remembers the course: (app, world, institution,
/// course id).
pub async fn remembered() -> (TestApp, World, Institution, String) {
    require_postgres();
    let app = spawn_app().await;
    let world = app.world().await;
    let academy = world.institution().await;
    let course = academy.course(NewCourse::host()).await;
    let first = academy.trainee().await;
    enrolled(&app, &academy.admin, &first, &course).await;
    (app, world, academy, course)
}

async fn update_course(app: &TestApp, institution: &Institution, input: serde_json::Value) {
    let set = app
        .graphql_as(
            Some(&institution.admin),
            "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    assert!(set.data()["updateCourse"]["id"].is_string(), "{}", set.body);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_course_given_a_capacity_is_full_for_the_next_person() {
    let (app, world, academy, course) = remembered().await;
    update_course(&app, &academy, json!({ "courseId": course, "capacity": 1 })).await;

    let second = academy.trainee().await;
    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "CAPACITY_FULL", "{}", refused.body);
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_course_that_has_ended_since_refuses_the_next_person() {
    let (app, world, academy, course) = remembered().await;
    update_course(
        &app,
        &academy,
        json!({ "courseId": course, "startsOn": "2020-01-01", "endsOn": "2020-01-31" }),
    )
    .await;

    let second = academy.trainee().await;
    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.body);
    assert_eq!(refused.field(), Some("courseId"), "{}", refused.body);
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_programme_created_after_the_course_was_remembered_counts_the_next_person() {
    let (app, world, academy, course) = remembered().await;
    let programme = world.programme(5, 5).await;

    let second = academy.trainee().await;
    enrolled(&app, &academy.admin, &second, &course).await;

    // The first person by the programme's backfill, the second by the enrolment.
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 2));
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_person_on_the_track_already_is_enrolled_in_a_remembered_course_and_counted_once() {
    let (app, world, academy, course) = remembered().await;
    let programme = world.programme(5, 5).await;
    let other = academy.course(NewCourse::host()).await;
    let person = academy.trainee().await;
    enrolled(&app, &academy.admin, &person, &other).await;

    let again = enrol(&app, Some(&academy.admin), &person, &course).await;
    let repeat = enrol(&app, Some(&academy.admin), &person, &course).await;

    assert_eq!(again.data()["enrol"]["created"], true, "{}", again.body);
    assert_eq!(repeat.data()["enrol"]["created"], false, "{}", repeat.body);
    assert_eq!(
        repeat.data()["enrol"]["enrolment"]["id"],
        again.data()["enrol"]["enrolment"]["id"]
    );
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 2);
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 2));
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn another_institutions_trainee_or_course_is_unknown_though_the_course_is_remembered() {
    let (app, world, academy, course) = remembered().await;
    let rival = world.institution().await;
    let theirs = rival.trainee().await;
    let ours = academy.trainee().await;

    let their_trainee = enrol(&app, Some(&academy.admin), &theirs, &course).await;
    let our_course = enrol(&app, Some(&rival.admin), &theirs, &course).await;
    let by_them = enrol(&app, Some(&rival.admin), &ours, &course).await;

    // As an unknown id is answered: "trainee <id> not found", "course <id> not found".
    for (refused, unknown) in [
        (their_trainee, format!("trainee {theirs} not found")),
        (our_course, format!("course {course} not found")),
        (by_them, format!("course {course} not found")),
    ] {
        assert_eq!(refused.code(), "NOT_FOUND", "{}", refused.body);
        assert_eq!(
            refused.body["errors"][0]["message"], unknown,
            "{}",
            refused.body
        );
    }
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    assert_eq!(
        app.count(&format!("enrolment WHERE trainee_id = '{theirs}'"))
            .await,
        0
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered course is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn one_person_enrolled_twenty_times_at_once_into_two_remembered_courses_is_enrolled_once_in_each()
 {
    let (app, world, academy, one) = remembered().await;
    let programme = world.programme(5, 5).await;
    let other = academy.course(NewCourse::host()).await;
    let someone = academy.trainee().await;
    enrolled(&app, &academy.admin, &someone, &other).await;
    let person = academy.trainee().await;
    let app = Arc::new(app);

    let mut set = JoinSet::new();
    for course in [&one, &other].repeat(10) {
        let (app, admin, person, course) = (
            Arc::clone(&app),
            academy.admin.clone(),
            person.clone(),
            course.clone(),
        );
        set.spawn(async move {
            let response = enrol(&app, Some(&admin), &person, &course).await;
            let enrol = &response.data()["enrol"];
            (
                course,
                enrol["created"].as_bool().unwrap(),
                enrol["enrolment"]["id"].as_str().unwrap().to_owned(),
            )
        });
    }
    let answers = set.join_all().await;

    for course in [&one, &other] {
        let mine: Vec<_> = answers.iter().filter(|(c, _, _)| c == course).collect();
        assert_eq!(mine.iter().filter(|(_, created, _)| *created).count(), 1);
        assert!(mine.iter().all(|(_, _, id)| *id == mine[0].2), "{mine:?}");
        assert_eq!(enrolled_count(&app, &world.admin, course).await, 2);
    }
    assert_eq!(
        app.count(&format!("enrolment WHERE trainee_id = '{person}'"))
            .await,
        2
    );
    // The first person, someone, and the person: each in training once.
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 3));
    assert_counts_exact(&app).await;
}
