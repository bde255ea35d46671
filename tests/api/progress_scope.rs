//! `programmeProgress`: the default programme, programmes created after the facts, and
//! the institution's share.

use serde_json::json;

use crate::support::app::spawn_app;
use crate::support::fixtures::{self, NewCourse};
use crate::support::flows::{certify, enrolled};
use crate::support::reads::{self, counts, on_track};

#[tokio::test]
async fn without_an_id_progress_is_of_the_programme_running_today() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let person = fixtures::trainee(&app, &staff).await;
    certify(&app, &staff, &person, &course).await;
    let running = fixtures::programme(&app, &admin, 7, 9).await;

    let response = app
        .graphql_as(Some(&admin), reads::PROGRESS, json!({}))
        .await;

    assert_eq!(
        response.data()["programmeProgress"]["programme"]["id"],
        running.as_str()
    );
    let host = on_track(&response, "HOST");
    assert_eq!(host["target"], 7);
    assert_eq!(host["certified"], 1);
}

#[tokio::test]
async fn a_programme_created_after_the_facts_counts_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let host = NewCourse::host().create(&app, &staff, &institution).await;
    let professional = NewCourse::professional()
        .create(&app, &staff, &institution)
        .await;
    let certified = fixtures::trainee(&app, &staff).await;
    let training = fixtures::trainee(&app, &staff).await;
    certify(&app, &staff, &certified, &host).await;
    certify(&app, &staff, &certified, &professional).await;
    enrolled(&app, &staff, &training, &host).await;

    let programme = fixtures::programme(&app, &admin, 10, 10).await;

    assert_eq!(counts(&app, &admin, &programme, "HOST").await, (1, 1));
    assert_eq!(
        counts(&app, &admin, &programme, "PROFESSIONAL").await,
        (1, 0)
    );
}

#[tokio::test]
async fn institution_roles_see_their_own_institutions_share_and_the_city_the_whole() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let analyst = app.user(&admin, "CITY_ANALYST", None).await;
    let programme = fixtures::programme(&app, &admin, 10, 10).await;
    let (a, a_admin) = app.institution_with_admin(&admin).await;
    let (b, b_admin) = app.institution_with_admin(&admin).await;
    let a_staff = app.user(&a_admin, "INSTITUTION_STAFF", Some(&a)).await;
    let a_course = NewCourse::host().create(&app, &a_admin, &a).await;
    let b_course = NewCourse::host().create(&app, &b_admin, &b).await;
    let (p1, p2, p3) = (
        fixtures::trainee(&app, &a_admin).await,
        fixtures::trainee(&app, &b_admin).await,
        fixtures::trainee(&app, &a_admin).await,
    );
    certify(&app, &a_admin, &p1, &a_course).await;
    certify(&app, &b_admin, &p2, &b_course).await;
    enrolled(&app, &a_admin, &p3, &a_course).await;
    let cases = [
        ("city admin", &admin, (2, 1)),
        ("city analyst", &analyst, (2, 1)),
        ("admin of A", &a_admin, (1, 1)),
        ("staff of A", &a_staff, (1, 1)),
        ("admin of B", &b_admin, (1, 0)),
    ];

    for (who, token, expected) in cases {
        assert_eq!(
            counts(&app, token, &programme, "HOST").await,
            expected,
            "{who}: (certified, inTraining)"
        );
    }
}

#[tokio::test]
async fn progress_is_for_city_and_institution_staff_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let programme = fixtures::programme(&app, &admin, 1, 1).await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = fixtures::register(&app, &staff, "钱七").await;
    let trainee = fixtures::activate(&app, &code).await;

    for (who, token, code) in [
        ("a trainee", Some(trainee.as_str()), "FORBIDDEN"),
        ("anonymous", None, "UNAUTHENTICATED"),
    ] {
        let response = app
            .graphql_as(token, reads::PROGRESS, json!({ "programmeId": programme }))
            .await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
    }
}
