//! `ProgrammeProgress.goals`, `certifiedPersons`, `certifiedOnBothTracks` on small worlds,
//! with `verify-counts` clean after the writes.

use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

use crate::goals::{
    RECORD, assert_counts_exact, goal, goals_of, institution_of, recognise, set_goal,
};
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World};
use crate::support::flows::{
    certify, complete, days_from_today, enrolled, programme_ends, revoke, today,
};
use crate::support::reads::counts;

/// Calendar months from this one to the last of the fixture programmes, both included.
fn months_left() -> f64 {
    let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    f64::from(index(programme_ends()) - index(today()) + 1)
}

#[tokio::test]
async fn organisation_goals_report_ratio_projection_and_what_is_left_per_month() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;
    set_goal(&app, &world.admin, &programme, "BASES_AND_PARKS", 4.0).await;
    for days_ago in [10, 20] {
        let base = institution_of(&app, &world.admin, "LIVESTREAMING_BASE").await;
        recognise(
            &app,
            &world.admin,
            &programme,
            "BASES_AND_PARKS",
            (Some(&base), None),
            days_from_today(-days_ago),
        )
        .await;
    }

    let response = goals_of(&app, &world.admin, &programme).await;

    let bases = goal(&response, "BASES_AND_PARKS");
    assert_eq!(bases["target"], 4.0);
    assert_eq!(bases["achieved"], 2.0);
    assert_eq!(bases["ratio"], 0.5);
    assert!(bases["reachedOn"].is_null());
    // 2 in the last 90 days: the 2 left take 90 days more.
    let projected = today().checked_add_days(Days::new(90)).unwrap();
    assert_eq!(bases["projectedReachDate"], projected.to_string());
    assert_eq!(bases["onTrack"], true);
    let per_month = bases["requiredPerMonth"].as_f64().unwrap();
    assert!(
        (per_month - 2.0 / months_left()).abs() < 1e-9,
        "{per_month}"
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn sales_are_the_sum_of_the_months_and_reached_in_the_month_that_met_the_target() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;
    set_goal(&app, &world.admin, &programme, "SALES_CNY", 1_000.0).await;
    let this_month = today().with_day(1).unwrap();
    let last_month = this_month.pred_opt().unwrap().with_day(1).unwrap();
    for (month, value) in [(last_month, 700.0), (this_month, 400.5)] {
        let recorded = app
            .graphql_as(
                Some(&world.admin),
                RECORD,
                json!({ "input": { "programmeId": programme, "kind": "SALES_CNY",
                    "month": month.format("%Y-%m").to_string(), "value": value, "source": "Bureau" } }),
            )
            .await;
        assert!(recorded.body["errors"].is_null(), "{}", recorded.body);
    }

    let response = goals_of(&app, &world.admin, &programme).await;

    let sales = goal(&response, "SALES_CNY");
    assert_eq!(sales["achieved"], 1_100.5);
    assert_eq!(sales["ratio"], 1.1005);
    assert_eq!(sales["reachedOn"], this_month.to_string());
    assert!(sales["requiredPerMonth"].is_null(), "reached");
    assert!(sales["projectedReachDate"].is_null());
    assert_eq!(sales["onTrack"], true);
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn a_person_certified_on_both_tracks_counts_once_in_certified_persons() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(1, 1).await;
    let academy = world.institution().await;
    let host = academy.course(NewCourse::host()).await;
    let professional = academy.course(NewCourse::professional()).await;
    let both = academy.trainee().await;
    let one = academy.trainee().await;
    let host_certificate = certify(&app, &academy.admin, &both, &host).await;
    certify(&app, &academy.admin, &both, &professional).await;
    certify(&app, &academy.admin, &one, &host).await;

    let read = || async {
        let response = goals_of(&app, &world.admin, &programme).await;
        let progress = &response.data()["programmeProgress"];
        (
            progress["certifiedPersons"].as_i64().unwrap(),
            progress["certifiedOnBothTracks"].as_i64().unwrap(),
        )
    };
    assert_eq!(read().await, (2, 1));
    let own = goals_of(&app, &academy.admin, &programme).await;
    assert_eq!(own.data()["programmeProgress"]["certifiedPersons"], 2);
    assert_eq!(own.data()["programmeProgress"]["certifiedOnBothTracks"], 1);
    let person_goal = goal(&own, "CERTIFIED_HOSTS");
    assert_eq!(person_goal["achieved"], 2.0);
    assert_eq!(person_goal["reachedOn"], today().to_string());
    assert_eq!(person_goal["onTrack"], true);
    assert!(person_goal["requiredPerMonth"].is_null(), "reached");
    assert_counts_exact(&app).await;

    revoke(
        &app,
        Some(&world.admin),
        &host_certificate,
        "exam irregularity",
    )
    .await;
    assert_eq!(read().await, (2, 0), "still certified on PROFESSIONAL");
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn a_new_programme_counts_the_persons_certified_before_it_was_created() {
    let app = spawn_app().await;
    let world = app.world().await;
    let academy = world.institution().await;
    let host = academy.course(NewCourse::host()).await;
    let professional = academy.course(NewCourse::professional()).await;
    let person = academy.trainee().await;
    certify(&app, &academy.admin, &person, &host).await;
    certify(&app, &academy.admin, &person, &professional).await;

    let programme = world.programme(5, 5).await;

    let response = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(response.data()["programmeProgress"]["certifiedPersons"], 1);
    assert_eq!(
        response.data()["programmeProgress"]["certifiedOnBothTracks"],
        1
    );
    let hosts = goal(&response, "CERTIFIED_HOSTS");
    assert_eq!(hosts["achieved"], 1.0);
    let per_month = hosts["requiredPerMonth"].as_f64().unwrap();
    assert!(
        (per_month - 4.0 / months_left()).abs() < 1e-9,
        "{per_month}"
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn certifications_on_both_tracks_at_once_count_the_person_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(5, 5).await;
    let academy = world.institution().await;
    let host = academy.course(NewCourse::host()).await;
    let professional = academy.course(NewCourse::professional()).await;
    let person = academy.trainee().await;
    let on_host = enrolled(&app, &academy.admin, &person, &host).await;
    let on_professional = enrolled(&app, &academy.admin, &person, &professional).await;

    let (a, b) = tokio::join!(
        complete(&app, &academy.admin, &on_host, true),
        complete(&app, &academy.admin, &on_professional, true),
    );

    assert!(
        a.body["errors"].is_null() && b.body["errors"].is_null(),
        "{} {}",
        a.body,
        b.body
    );
    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(progress.data()["programmeProgress"]["certifiedPersons"], 1);
    assert_eq!(
        progress.data()["programmeProgress"]["certifiedOnBothTracks"],
        1
    );
    assert_counts_exact(&app).await;
}

/// A shared app, its world, a programme of 5 and 5, an institution, and a course of
/// the institution on each track (host, professional).
async fn two_tracks() -> (
    std::sync::Arc<TestApp>,
    World,
    String,
    Institution,
    [String; 2],
) {
    let app = std::sync::Arc::new(spawn_app().await);
    let world = app.world().await;
    let programme = world.programme(5, 5).await;
    let academy = world.institution().await;
    let host = academy.course(NewCourse::host()).await;
    let professional = academy.course(NewCourse::professional()).await;
    (app, world, programme, academy, [host, professional])
}

#[tokio::test]
async fn people_enrolled_and_certified_on_both_tracks_at_once_count_once_each() {
    let (app, world, programme, academy, [host, professional]) = two_tracks().await;
    let mut people = Vec::new();
    for _ in 0..4 {
        people.push(academy.trainee().await);
    }

    // Each person starts on both tracks at once: two writes about one person, each the
    // first on its track.
    let mut set = tokio::task::JoinSet::new();
    for person in &people {
        for course in [&host, &professional] {
            let (app, token) = (std::sync::Arc::clone(&app), academy.admin.clone());
            let (person, course) = (person.clone(), course.clone());
            set.spawn(async move { enrolled(&app, &token, &person, &course).await });
        }
    }
    let enrolments = set.join_all().await;
    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(progress.data()["programmeProgress"]["certifiedPersons"], 0);
    assert_counts_exact(&app).await;

    let mut set = tokio::task::JoinSet::new();
    for enrolment in enrolments {
        let (app, token) = (std::sync::Arc::clone(&app), academy.admin.clone());
        set.spawn(async move { complete(&app, &token, &enrolment, true).await });
    }
    for response in set.join_all().await {
        assert!(response.body["errors"].is_null(), "{}", response.body);
    }
    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(progress.data()["programmeProgress"]["certifiedPersons"], 4);
    assert_eq!(
        progress.data()["programmeProgress"]["certifiedOnBothTracks"],
        4
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn people_certified_on_one_track_as_they_first_enrol_on_the_other_count_on_both() {
    let (app, world, programme, academy, [host, professional]) = two_tracks().await;
    let mut people = Vec::new();
    for _ in 0..4 {
        let person = academy.trainee().await;
        let enrolment = enrolled(&app, &academy.admin, &person, &host).await;
        people.push((person, enrolment));
    }

    // At once, about each person: their host course passed (a certificate, which reads
    // their rows) and their first enrolment on the professional track (which starts them
    // on it and reads none of their rows).
    let mut set = tokio::task::JoinSet::new();
    for (person, enrolment) in &people {
        let (app, token) = (std::sync::Arc::clone(&app), academy.admin.clone());
        let (person, course, enrolment) = (person.clone(), professional.clone(), enrolment.clone());
        set.spawn(async move {
            let (passed, _) = tokio::join!(
                complete(&app, &token, &enrolment, true),
                enrolled(&app, &token, &person, &course),
            );
            passed
        });
    }
    for response in set.join_all().await {
        assert!(response.body["errors"].is_null(), "{}", response.body);
    }

    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(progress.data()["programmeProgress"]["certifiedPersons"], 4);
    // (certified, inTraining) on each track.
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (4, 0));
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (0, 4)
    );
    assert_counts_exact(&app).await;
}
