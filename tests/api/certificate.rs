//! `revokeCertificate` (reason, idempotence, who may) and `myCertificates`.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, Institution, NewCourse, World};
use crate::support::flows::{certify, revoke};
use crate::support::reads::{self, MY_CERTIFICATES};

/// An institution and one certificate it issued.
struct Issued {
    city: World,
    issuer: Institution,
    number: String,
}

async fn issued(app: &TestApp) -> Issued {
    let city = app.world().await;
    let issuer = city.institution().await;
    let course = issuer.course(NewCourse::host()).await;
    let trainee = issuer.trainee().await;
    let number = certify(app, &issuer.admin, &trainee, &course).await;
    Issued {
        city,
        issuer,
        number,
    }
}

#[tokio::test]
async fn revoking_keeps_the_reason_and_time_and_makes_the_certificate_revoked() {
    let app = spawn_app().await;
    let issued = issued(&app).await;

    let response = revoke(
        &app,
        Some(&issued.issuer.admin),
        &issued.number,
        "forged exam",
    )
    .await;

    let revoked = &response.data()["revokeCertificate"];
    assert_eq!(revoked["number"], issued.number.as_str());
    assert_eq!(revoked["status"], "REVOKED");
    assert_eq!(revoked["revocationReason"], "forged exam");
    assert!(revoked["revokedAt"].is_string());
}

#[tokio::test]
async fn revoking_twice_keeps_the_first_time_and_reason() {
    let app = spawn_app().await;
    let issued = issued(&app).await;
    let first = revoke(
        &app,
        Some(&issued.issuer.admin),
        &issued.number,
        "first reason",
    )
    .await;

    let second = revoke(
        &app,
        Some(&issued.city.admin),
        &issued.number,
        "second reason",
    )
    .await;

    let (first, second) = (
        &first.data()["revokeCertificate"],
        &second.data()["revokeCertificate"],
    );
    assert_eq!(second["revokedAt"], first["revokedAt"]);
    assert_eq!(second["revocationReason"], "first reason");
    assert_eq!(second["status"], "REVOKED");
}

#[tokio::test]
async fn a_revocation_needs_a_reason() {
    let app = spawn_app().await;
    let issued = issued(&app).await;

    for reason in ["", "   "] {
        let response = revoke(&app, Some(&issued.issuer.admin), &issued.number, reason).await;

        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{reason:?}: {}",
            response.body
        );
        assert_eq!(response.field(), Some("reason"), "{reason:?}");
    }
    let response = app
        .graphql_as(
            Some(&issued.city.admin),
            "mutation($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { number } }",
            json!({ "input": { "number": issued.number } }),
        )
        .await;
    assert!(
        response.body["errors"].is_array(),
        "a missing reason is refused"
    );
    let status = reads::verify(&app, &issued.number, "张三").await;
    assert_eq!(status.data()["verifyCertificate"]["status"], "VALID");
}

#[tokio::test]
async fn only_the_issuing_institution_admin_and_the_city_admin_may_revoke() {
    let app = spawn_app().await;
    let issued = issued(&app).await;
    let (_, other_admin) = app.institution_with_admin(&issued.city.admin).await;
    let staff = app
        .user(
            &issued.issuer.admin,
            "INSTITUTION_STAFF",
            Some(&issued.issuer.id),
        )
        .await;
    let analyst = app.user(&issued.city.admin, "CITY_ANALYST", None).await;
    let refused = [
        (
            "admin of another institution",
            Some(other_admin.as_str()),
            "NOT_FOUND",
        ),
        (
            "staff of the issuing institution",
            Some(staff.as_str()),
            "FORBIDDEN",
        ),
        ("city analyst", Some(analyst.as_str()), "FORBIDDEN"),
        ("anonymous", None, "UNAUTHENTICATED"),
    ];

    for (who, token, code) in refused {
        let response = revoke(&app, token, &issued.number, "not allowed").await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
    }
    let still = reads::verify(&app, &issued.number, "张三").await;
    assert_eq!(still.data()["verifyCertificate"]["status"], "VALID");

    let response = revoke(
        &app,
        Some(&issued.city.admin),
        &issued.number,
        "city decision",
    )
    .await;
    let revoked = &response.data()["revokeCertificate"];
    assert_eq!(revoked["status"], "REVOKED");
    assert_eq!(revoked["revocationReason"], "city decision");
}

#[tokio::test]
async fn revoking_an_unknown_or_malformed_number_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let unknown = revoke(&app, Some(&admin), "H2026-00000-00000", "typo").await;
    let malformed = revoke(&app, Some(&admin), "not a number", "typo").await;

    assert_eq!(unknown.code(), "NOT_FOUND", "{}", unknown.body);
    assert_eq!(malformed.code(), "BAD_USER_INPUT", "{}", malformed.body);
    assert_eq!(malformed.field(), Some("number"));
}

#[tokio::test]
async fn a_trainee_sees_only_its_own_certificates() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let host = NewCourse::host().create(&app, &staff, &institution).await;
    let professional = NewCourse::professional()
        .create(&app, &staff, &institution)
        .await;
    let (me, code) = fixtures::register(&app, &staff, "王五").await;
    let other = fixtures::trainee(&app, &staff).await;
    let mine = [
        certify(&app, &staff, &me, &host).await,
        certify(&app, &staff, &me, &professional).await,
    ];
    certify(&app, &staff, &other, &host).await;
    let token = fixtures::activate(&app, &code).await;

    let response = app
        .graphql_as(Some(&token), MY_CERTIFICATES, json!({}))
        .await;

    let certificates = response.data()["myCertificates"].as_array().unwrap();
    let mut numbers: Vec<&str> = certificates
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    numbers.sort_unstable();
    let mut expected: Vec<&str> = mine.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(numbers, expected);
    for certificate in certificates {
        assert_eq!(certificate["holder"]["id"], me.as_str());
        assert_eq!(certificate["institution"]["id"], institution.as_str());
    }
}

#[tokio::test]
async fn my_certificates_is_for_trainees_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let staff = app
        .user(&institution_admin, "INSTITUTION_STAFF", Some(&institution))
        .await;
    let analyst = app.user(&admin, "CITY_ANALYST", None).await;
    let cases = [
        (
            "institution admin",
            Some(institution_admin.as_str()),
            "FORBIDDEN",
        ),
        ("institution staff", Some(staff.as_str()), "FORBIDDEN"),
        ("city admin", Some(admin.as_str()), "FORBIDDEN"),
        ("city analyst", Some(analyst.as_str()), "FORBIDDEN"),
        ("anonymous", None, "UNAUTHENTICATED"),
    ];

    for (who, token, code) in cases {
        let response = app.graphql_as(token, MY_CERTIFICATES, json!({})).await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
    }
}

#[tokio::test]
async fn racing_revocations_of_one_certificate_agree_on_the_first() {
    let app = Arc::new(spawn_app().await);
    let issued = issued(&app).await;

    let mut set = JoinSet::new();
    for i in 0..10 {
        let app = Arc::clone(&app);
        let token = if i % 2 == 0 {
            issued.city.admin.clone()
        } else {
            issued.issuer.admin.clone()
        };
        let number = issued.number.clone();
        set.spawn(async move { revoke(&app, Some(&token), &number, &format!("reason {i}")).await });
    }
    let responses = set.join_all().await;

    let revoked: Vec<&Value> = responses
        .iter()
        .map(|r| &r.data()["revokeCertificate"])
        .collect();
    for answer in &revoked {
        assert_eq!(answer["status"], "REVOKED");
        assert_eq!(answer["revokedAt"], revoked[0]["revokedAt"]);
        assert_eq!(answer["revocationReason"], revoked[0]["revocationReason"]);
    }
}
