//! `enrol` in one statement (PostgreSQL): what the statement was computed from changes
//! between its read and its write, and nothing of it is written; `enrol` then decides in
//! a transaction, and every count stays exact.

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;
use talent_registry::auth::CurrentUser;
use talent_registry::domain::Role;
use talent_registry::service::enrolment::at_once;
use talent_registry::service::enrolment::known::KnownCourses;
use uuid::Uuid;

use crate::goals::assert_counts_exact;
use crate::support::app::{TestApp, require_postgres, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World};
use crate::support::flows::{enrol, enrolled};
use crate::support::reads::{counts, enrolled_count};

fn id(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap()
}

/// The institution's admin, as the service sees it.
fn admin_of(institution: &Institution) -> CurrentUser {
    CurrentUser {
        user_id: Uuid::nil(),
        role: Role::InstitutionAdmin,
        institution_id: Some(id(&institution.id)),
        trainee_id: None,
        client: None,
        must_change_password: false,
    }
}

/// Reads `trainee`'s enrolment into `course` as ready for one statement.
async fn ready(
    app: &TestApp,
    institution: &Institution,
    trainee: &str,
    course: &str,
) -> at_once::Ready {
    let known = KnownCourses::default();
    at_once::read(
        &app.db,
        &known,
        &admin_of(institution),
        id(trainee),
        id(course),
    )
    .await
    .unwrap()
    .expect("a person new to the track of a course without a capacity")
}

/// A fresh registry with one institution, a `course` of it and a person it owns, on
/// PostgreSQL: (app, world, institution, course id, trainee id).
async fn one_person(course: NewCourse) -> (TestApp, World, Institution, String, String) {
    require_postgres();
    let app = spawn_app().await;
    let world = app.world().await;
    let academy = world.institution().await;
    let course = academy.course(course).await;
    let person = academy.trainee().await;
    (app, world, academy, course, person)
}

/// Enrolments of `trainee`, counted in the database.
async fn enrolments_of(app: &TestApp, trainee: &str) -> i64 {
    app.count(&format!("enrolment WHERE trainee_id = '{trainee}'"))
        .await
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_capacity_given_between_the_read_and_the_write_stops_the_write_and_the_course_is_full() {
    let (app, world, academy, course, first) = one_person(NewCourse::host()).await;
    let second = academy.trainee().await;
    enrolled(&app, &academy.admin, &first, &course).await;
    let read = ready(&app, &academy, &second, &course).await;

    let set = app
        .graphql_as(
            Some(&academy.admin),
            "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { capacity } }",
            json!({ "input": { "courseId": course, "capacity": 1 } }),
        )
        .await;
    assert_eq!(set.data()["updateCourse"]["capacity"], 1);
    let written = at_once::write(&app.db, &admin_of(&academy), None, read)
        .await
        .unwrap();

    assert!(written.is_none(), "{written:?}");
    assert_eq!(enrolments_of(&app, &second).await, 0);
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;
    assert_eq!(refused.code(), "CAPACITY_FULL", "{}", refused.body);
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_person_started_on_the_track_meanwhile_is_enrolled_once_and_counted_once() {
    require_postgres();
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(5, 5).await;
    let academy = world.institution().await;
    let (one, other) = (
        academy.course(NewCourse::host()).await,
        academy.course(NewCourse::host()).await,
    );
    let person = academy.trainee().await;
    let read = ready(&app, &academy, &person, &one).await;

    // Meanwhile the same person is enrolled in another course of the track.
    enrolled(&app, &academy.admin, &person, &other).await;
    let written = at_once::write(&app.db, &admin_of(&academy), None, read)
        .await
        .unwrap();

    assert!(written.is_none(), "{written:?}");
    assert_eq!(enrolments_of(&app, &person).await, 1);
    let again = enrol(&app, Some(&academy.admin), &person, &one).await;
    assert_eq!(again.data()["enrol"]["created"], true, "{}", again.body);
    assert_eq!(enrolments_of(&app, &person).await, 2);
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 1));
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn the_same_enrolment_made_meanwhile_is_not_made_twice() {
    let (app, world, academy, course, person) = one_person(NewCourse::professional()).await;
    let read = ready(&app, &academy, &person, &course).await;

    let first = enrol(&app, Some(&academy.admin), &person, &course).await;
    assert_eq!(first.data()["enrol"]["created"], true);
    let written = at_once::write(&app.db, &admin_of(&academy), None, read)
        .await
        .unwrap();

    assert!(written.is_none(), "{written:?}");
    assert_eq!(enrolments_of(&app, &person).await, 1);
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_programme_created_between_the_read_and_the_write_counts_the_enrolment() {
    let (app, world, academy, course, person) = one_person(NewCourse::host()).await;
    let read = ready(&app, &academy, &person, &course).await;

    let programme = world.programme(5, 5).await;
    let written = at_once::write(&app.db, &admin_of(&academy), None, read)
        .await
        .unwrap();

    assert!(written.is_none(), "{written:?}");
    assert_eq!(enrolments_of(&app, &person).await, 0);
    enrolled(&app, &academy.admin, &person, &course).await;
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 1));
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_write_whose_read_still_holds_enrols_and_counts_in_one_statement() {
    let (app, world, academy, course, person) = one_person(NewCourse::host()).await;
    let programme = world.programme(5, 5).await;
    let read = ready(&app, &academy, &person, &course).await;

    let written = at_once::write(&app.db, &admin_of(&academy), None, read)
        .await
        .unwrap();

    let enrolment = written.expect("written");
    assert_eq!(enrolment.trainee_id, id(&person));
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 1);
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 1));
    let repeat = enrol(&app, Some(&academy.admin), &person, &course).await;
    assert_eq!(repeat.data()["enrol"]["created"], false);
    assert_eq!(
        repeat.data()["enrol"]["enrolment"]["id"],
        enrolment.id.to_string()
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: enrol in one statement is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_track_row_committed_after_the_guard_looked_fails_the_whole_write() {
    let (app, world, academy, course, person) = one_person(NewCourse::host()).await;
    let programme = world.programme(5, 5).await;
    let read = ready(&app, &academy, &person, &course).await;
    let audited = app.count("audit_log").await;

    // Another writer's track row for the person, not committed yet: the write's guard
    // sees no row, then its insert waits on the key and clashes once it is committed.
    let other = app.db.begin().await.unwrap();
    other
        .execute_unprepared(&format!(
            "INSERT INTO person_track (trainee_id, track, enrolled_now, first_enrolment_id, \
             first_enrolled_at) VALUES ('{person}', 'HOST', 1, '{}', now())",
            Uuid::now_v7()
        ))
        .await
        .unwrap();
    let db = app.db.clone();
    let admin = admin_of(&academy);
    let write = tokio::spawn(async move { at_once::write(&db, &admin, None, read).await });
    let mut waited = 0;
    while app
        .count("pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH g AS%'")
        .await
        == 0
    {
        waited += 1;
        assert!(
            waited < 500,
            "the write never waited on the track row's key"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    other.commit().await.unwrap();
    let written = write.await.unwrap().unwrap();

    assert!(written.is_none(), "{written:?}");
    assert_eq!(enrolments_of(&app, &person).await, 0);
    assert_eq!(enrolled_count(&app, &world.admin, &course).await, 0);
    assert_eq!(app.count("audit_log").await, audited);
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (0, 0));
    // The other writer's row alone was made; without it the counts are as recounted.
    app.db
        .execute_unprepared(&format!(
            "DELETE FROM person_track WHERE trainee_id = '{person}'"
        ))
        .await
        .unwrap();
    assert_counts_exact(&app).await;
}
