//! `programmeProgress`: distinct persons per track, revocations excluded, in training,
//! ratio and reach dates.

use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;

use crate::flows::{
    self, NewCourse, certify, complete, cst_date_of, days_from_today, enrolled, revoke, withdraw,
};
use crate::helpers::{TestApp, spawn_app};
use crate::reads::{self, counts, on_track, progress};

/// A programme running today and one institution with two HOST and one PROFESSIONAL
/// course.
struct Setup {
    admin: String,
    programme: String,
    staff: String,
    host: [String; 2],
    professional: String,
}

async fn setup(app: &TestApp) -> Setup {
    let admin = app.admin_token().await;
    let programme = flows::programme(app, &admin, 1, 4).await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let host = [
        NewCourse::host().create(app, &staff, &institution).await,
        NewCourse::host()
            .level(4)
            .create(app, &staff, &institution)
            .await,
    ];
    let professional = NewCourse::professional()
        .create(app, &staff, &institution)
        .await;
    Setup {
        admin,
        programme,
        staff,
        host,
        professional,
    }
}

impl Setup {
    async fn counts(&self, app: &TestApp, track: &str) -> (i64, i64) {
        counts(app, &self.admin, &self.programme, track).await
    }
}

#[tokio::test]
async fn a_person_certified_twice_on_host_counts_once() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;

    certify(&app, &s.staff, &person, &s.host[0]).await;
    certify(&app, &s.staff, &person, &s.host[1]).await;

    assert_eq!(s.counts(&app, "HOST").await, (1, 0));
    assert_eq!(s.counts(&app, "PROFESSIONAL").await, (0, 0));
}

#[tokio::test]
async fn a_person_certified_on_both_tracks_counts_on_both() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;
    let other = flows::trainee(&app, &s.staff).await;

    certify(&app, &s.staff, &person, &s.host[0]).await;
    certify(&app, &s.staff, &person, &s.professional).await;
    certify(&app, &s.staff, &other, &s.host[1]).await;

    assert_eq!(s.counts(&app, "HOST").await, (2, 0));
    assert_eq!(s.counts(&app, "PROFESSIONAL").await, (1, 0));
}

#[tokio::test]
async fn revocation_lowers_the_count_and_recertification_raises_it_again() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;
    let first = certify(&app, &s.staff, &person, &s.host[0]).await;
    assert_eq!(s.counts(&app, "HOST").await, (1, 0));

    revoke(&app, Some(&s.admin), &first, "exam irregularity")
        .await
        .data();
    assert_eq!(s.counts(&app, "HOST").await, (0, 0), "after revocation");

    let enrolment = enrolled(&app, &s.staff, &person, &s.host[1]).await;
    assert_eq!(s.counts(&app, "HOST").await, (0, 1), "back in training");

    complete(&app, &s.staff, &enrolment, true).await.data();
    assert_eq!(s.counts(&app, "HOST").await, (1, 0), "re-certified");
}

#[tokio::test]
async fn revoking_one_of_two_certificates_keeps_the_person_counted() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;
    let first = certify(&app, &s.staff, &person, &s.host[0]).await;
    let second = certify(&app, &s.staff, &person, &s.host[1]).await;

    revoke(&app, Some(&s.staff), &first, "duplicate")
        .await
        .data();
    assert_eq!(s.counts(&app, "HOST").await, (1, 0));

    revoke(&app, Some(&s.staff), &second, "duplicate")
        .await
        .data();
    assert_eq!(s.counts(&app, "HOST").await, (0, 0));
}

#[tokio::test]
async fn in_training_counts_enrolled_persons_not_yet_certified_once_per_track() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let twice = flows::trainee(&app, &s.staff).await;
    let certified = flows::trainee(&app, &s.staff).await;
    let failed = flows::trainee(&app, &s.staff).await;
    let withdrawn = flows::trainee(&app, &s.staff).await;

    // Enrolled in both HOST courses: one person in training.
    enrolled(&app, &s.staff, &twice, &s.host[0]).await;
    enrolled(&app, &s.staff, &twice, &s.host[1]).await;
    // Certified on HOST and still enrolled in the other HOST course: certified, not in
    // training on HOST; enrolled on PROFESSIONAL: in training there.
    certify(&app, &s.staff, &certified, &s.host[0]).await;
    enrolled(&app, &s.staff, &certified, &s.host[1]).await;
    enrolled(&app, &s.staff, &certified, &s.professional).await;
    // Finished without a certificate: neither.
    let enrolment = enrolled(&app, &s.staff, &failed, &s.host[0]).await;
    complete(&app, &s.staff, &enrolment, false).await.data();
    let enrolment = enrolled(&app, &s.staff, &withdrawn, &s.professional).await;
    withdraw(&app, &s.staff, &enrolment).await.data();

    assert_eq!(s.counts(&app, "HOST").await, (1, 1));
    assert_eq!(s.counts(&app, "PROFESSIONAL").await, (0, 1));
}

#[tokio::test]
async fn reaching_the_target_sets_reached_on_and_the_ratio() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;

    let before = progress(&app, &s.admin, &s.programme).await;
    let number = certify(&app, &s.staff, &person, &s.host[0]).await;
    certify(&app, &s.staff, &person, &s.professional).await;
    let after = progress(&app, &s.admin, &s.programme).await;

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
        s.programme.as_str()
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
    let s = setup(&app).await;
    let person = flows::trainee(&app, &s.staff).await;
    certify(&app, &s.staff, &person, &s.host[0]).await;
    let programmes = app
        .graphql_as(Some(&s.admin), "{ programmes { id endsOn } }", json!({}))
        .await;
    let past = programmes.data()["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["endsOn"] == "2025-12-31")
        .map(flows::id_at)
        .expect("the default 2023–2025 programme");

    assert_eq!(counts(&app, &s.admin, &past, "HOST").await, (0, 0));
    assert_eq!(s.counts(&app, "HOST").await, (1, 0));
}

#[tokio::test]
async fn one_person_enrolled_passed_and_revoked_everywhere_at_once_counts_once() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let programme = flows::programme(&app, &admin, 1, 1).await;
    let mut courses = Vec::new();
    for _ in 0..2 {
        let (institution, token) = app.institution_with_admin(&admin).await;
        for _ in 0..3 {
            let course = NewCourse::host().create(&app, &token, &institution).await;
            courses.push((token.clone(), course));
        }
    }
    // Both institutions register the person (by document) before enrolling them.
    let document = crate::helpers::resident_id();
    let (person, _) = flows::register_id(&app, &courses[0].0, "张三", &document).await;
    flows::register_id(&app, &courses[3].0, "张三", &document).await;
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
