//! `programmeProgress`: distinct persons per track, revocations excluded, in training,
//! ratio and reach dates.

use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, Institution, NewCourse, World};
use crate::support::flows::{
    certify, complete, cst_date_of, days_from_today, enrolled, revoke, withdraw,
};
use crate::support::gql::id_at;
use crate::support::reads::{self, counts, on_track, progress};

/// A programme running today and one institution with two HOST and one PROFESSIONAL
/// course; returns (city, programme, institution, HOST courses, PROFESSIONAL course).
async fn arrange(app: &TestApp) -> (World, String, Institution, [String; 2], String) {
    let city = app.world().await;
    let programme = city.programme(1, 4).await;
    let own = city.institution().await;
    let host = [
        own.course(NewCourse::host()).await,
        own.course(NewCourse::host().level(4)).await,
    ];
    let professional = own.course(NewCourse::professional()).await;
    (city, programme, own, host, professional)
}

#[tokio::test]
async fn a_person_certified_twice_on_host_counts_once() {
    let app = spawn_app().await;
    let (city, programme, own, host, _professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;

    certify(&app, &own.admin, &person, &host[0]).await;
    certify(&app, &own.admin, &person, &host[1]).await;

    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (1, 0));
    assert_eq!(
        counts(&app, &city.admin, &programme, "PROFESSIONAL").await,
        (0, 0)
    );
}

#[tokio::test]
async fn a_person_certified_on_both_tracks_counts_on_both() {
    let app = spawn_app().await;
    let (city, programme, own, host, professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;
    let other = fixtures::trainee(&app, &own.admin).await;

    certify(&app, &own.admin, &person, &host[0]).await;
    certify(&app, &own.admin, &person, &professional).await;
    certify(&app, &own.admin, &other, &host[1]).await;

    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (2, 0));
    assert_eq!(
        counts(&app, &city.admin, &programme, "PROFESSIONAL").await,
        (1, 0)
    );
}

#[tokio::test]
async fn revocation_lowers_the_count_and_recertification_raises_it_again() {
    let app = spawn_app().await;
    let (city, programme, own, host, _professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;
    let first = certify(&app, &own.admin, &person, &host[0]).await;
    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (1, 0));

    revoke(&app, Some(&city.admin), &first, "exam irregularity")
        .await
        .data();
    assert_eq!(
        counts(&app, &city.admin, &programme, "HOST").await,
        (0, 0),
        "after revocation"
    );

    let enrolment = enrolled(&app, &own.admin, &person, &host[1]).await;
    assert_eq!(
        counts(&app, &city.admin, &programme, "HOST").await,
        (0, 1),
        "back in training"
    );

    complete(&app, &own.admin, &enrolment, true).await.data();
    assert_eq!(
        counts(&app, &city.admin, &programme, "HOST").await,
        (1, 0),
        "re-certified"
    );
}

#[tokio::test]
async fn revoking_one_of_two_certificates_keeps_the_person_counted() {
    let app = spawn_app().await;
    let (city, programme, own, host, _professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;
    let first = certify(&app, &own.admin, &person, &host[0]).await;
    let second = certify(&app, &own.admin, &person, &host[1]).await;

    revoke(&app, Some(&own.admin), &first, "duplicate")
        .await
        .data();
    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (1, 0));

    revoke(&app, Some(&own.admin), &second, "duplicate")
        .await
        .data();
    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (0, 0));
}

#[tokio::test]
async fn in_training_counts_enrolled_persons_not_yet_certified_once_per_track() {
    let app = spawn_app().await;
    let (city, programme, own, host, professional) = arrange(&app).await;
    let twice = fixtures::trainee(&app, &own.admin).await;
    let certified = fixtures::trainee(&app, &own.admin).await;
    let failed = fixtures::trainee(&app, &own.admin).await;
    let withdrawn = fixtures::trainee(&app, &own.admin).await;

    // Enrolled in both HOST courses: one person in training.
    enrolled(&app, &own.admin, &twice, &host[0]).await;
    enrolled(&app, &own.admin, &twice, &host[1]).await;
    // Certified on HOST and still enrolled in the other HOST course: certified, not in
    // training on HOST; enrolled on PROFESSIONAL: in training there.
    certify(&app, &own.admin, &certified, &host[0]).await;
    enrolled(&app, &own.admin, &certified, &host[1]).await;
    enrolled(&app, &own.admin, &certified, &professional).await;
    // Finished without a certificate: neither.
    let enrolment = enrolled(&app, &own.admin, &failed, &host[0]).await;
    complete(&app, &own.admin, &enrolment, false).await.data();
    let enrolment = enrolled(&app, &own.admin, &withdrawn, &professional).await;
    withdraw(&app, &own.admin, &enrolment).await.data();

    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (1, 1));
    assert_eq!(
        counts(&app, &city.admin, &programme, "PROFESSIONAL").await,
        (0, 1)
    );
}

#[tokio::test]
async fn reaching_the_target_sets_reached_on_and_the_ratio() {
    let app = spawn_app().await;
    let (city, programme, own, host, professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;

    let before = progress(&app, &city.admin, &programme).await;
    let number = certify(&app, &own.admin, &person, &host[0]).await;
    certify(&app, &own.admin, &person, &professional).await;
    let after = progress(&app, &city.admin, &programme).await;

    let host = on_track(&before, "HOST");
    assert_eq!(host["target"], 1);
    assert_eq!(host["ratio"], 0.0);
    assert!(host["reachedOn"].is_null());
    assert!(
        host["projectedReachDate"].is_null(),
        "no recent certifications"
    );
    assert_eq!(
        after.data()["programmeProgress"]["programme"]["id"],
        programme.as_str()
    );
    let host = on_track(&after, "HOST");
    let verified = reads::verify(&app, &number, "张三").await;
    let issued_on = cst_date_of(&verified.data()["verifyCertificate"]["issuedAt"]);
    assert_eq!(host["certified"], 1);
    assert_eq!(host["ratio"], 1.0);
    assert_eq!(host["reachedOn"], issued_on.to_string());
    assert!(host["projectedReachDate"].is_null(), "the target is met");
    let professional = on_track(&after, "PROFESSIONAL");
    assert_eq!(professional["target"], 4);
    assert_eq!(professional["certified"], 1);
    assert_eq!(professional["ratio"], 0.25);
    assert!(professional["reachedOn"].is_null());
    // One person in the last 90 days: the 3 still missing take 270 days more.
    assert_eq!(
        professional["projectedReachDate"],
        days_from_today(270).to_string()
    );
}

#[tokio::test]
async fn certificates_issued_outside_the_programme_period_do_not_count() {
    let app = spawn_app().await;
    let (city, programme, own, host, _professional) = arrange(&app).await;
    let person = fixtures::trainee(&app, &own.admin).await;
    certify(&app, &own.admin, &person, &host[0]).await;
    let programmes = app
        .graphql_as(Some(&city.admin), "{ programmes { id endsOn } }", json!({}))
        .await;
    let past = programmes.data()["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["endsOn"] == "2025-12-31")
        .map(id_at)
        .expect("the default 2023–2025 programme");

    assert_eq!(counts(&app, &city.admin, &past, "HOST").await, (0, 0));
    assert_eq!(counts(&app, &city.admin, &programme, "HOST").await, (1, 0));
}

#[tokio::test]
async fn one_person_enrolled_passed_and_revoked_everywhere_at_once_counts_once() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let programme = fixtures::programme(&app, &admin, 1, 1).await;
    let mut courses = Vec::new();
    for _ in 0..2 {
        let (institution, token) = app.institution_with_admin(&admin).await;
        for _ in 0..3 {
            let course = NewCourse::host().create(&app, &token, &institution).await;
            courses.push((token.clone(), course));
        }
    }
    // Both institutions register the person (by document) before enrolling them.
    let document = crate::support::ids::resident_id();
    let (person, _) = fixtures::register_id(&app, &courses[0].0, "张三", &document).await;
    fixtures::register_id(&app, &courses[3].0, "张三", &document).await;
    let host_row = |app: Arc<TestApp>, admin: String| async move {
        let response = reads::stats(&app, Some(&admin), json!(null), &["TRACK"]).await;
        let row = &response.data()["stats"][0];
        ["trainees", "enrolments", "completions", "certifiedPersons"]
            .map(|m| row[m].as_i64().unwrap())
    };

    let mut set = JoinSet::new();
    for (token, course) in courses.clone() {
        let (app, person) = (Arc::clone(&app), person.clone());
        set.spawn(async move {
            (
                token.clone(),
                enrolled(&app, &token, &person, &course).await,
            )
        });
    }
    let enrolments = set.join_all().await;
    assert_eq!(counts(&app, &admin, &programme, "HOST").await, (0, 1));
    assert_eq!(
        host_row(Arc::clone(&app), admin.clone()).await,
        [1, 6, 0, 0]
    );

    let mut set = JoinSet::new();
    for (token, enrolment) in enrolments {
        let app = Arc::clone(&app);
        set.spawn(async move {
            let response = complete(&app, &token, &enrolment, true).await;
            response.data()["completeEnrolment"]["certificate"]["number"]
                .as_str()
                .unwrap()
                .to_owned()
        });
    }
    let numbers = set.join_all().await;
    assert_eq!(counts(&app, &admin, &programme, "HOST").await, (1, 0));
    assert_eq!(
        host_row(Arc::clone(&app), admin.clone()).await,
        [1, 6, 6, 1]
    );

    let mut set = JoinSet::new();
    for number in numbers {
        let (app, admin) = (Arc::clone(&app), admin.clone());
        set.spawn(async move {
            revoke(&app, Some(&admin), &number, "mass revocation")
                .await
                .data()
                .clone()
        });
    }
    set.join_all().await;
    assert_eq!(counts(&app, &admin, &programme, "HOST").await, (0, 0));
    assert_eq!(
        host_row(Arc::clone(&app), admin.clone()).await,
        [1, 6, 6, 0]
    );
}
