//! `completeEnrolment` and `withdrawEnrolment`: results, certificates, conflicts, seats.

use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::app::spawn_app;
use crate::support::fixtures::{self, NewCourse};
use crate::support::flows::{self, complete, complete_with, enrol, enrolled, withdraw};
use crate::support::reads::{count, enrolled_count};

/// True when `number` has the documented shape `H2025-7KQ2M-9XDPA`.
fn is_certificate_number(number: &str, track_letter: char) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let chars: Vec<char> = number.chars().collect();
    chars.len() == 17
        && chars[0] == track_letter
        && chars[1..5].iter().all(char::is_ascii_digit)
        && chars[5] == '-'
        && chars[11] == '-'
        && chars[6..11]
            .iter()
            .chain(&chars[12..])
            .all(|c| ALPHABET.contains(*c))
}

#[tokio::test]
async fn passing_completes_the_enrolment_and_issues_a_certificate_of_the_course() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::professional()
        .level(3)
        .create(&app, &staff, &institution)
        .await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;

    let response = complete_with(
        &app,
        &staff,
        json!({ "enrolmentId": enrolment, "passed": true, "score": 92 }),
    )
    .await;

    let completed = &response.data()["completeEnrolment"];
    let certificate = &completed["certificate"];
    assert_eq!(completed["status"], "COMPLETED");
    assert_eq!(completed["score"], 92);
    assert!(completed["completedAt"].is_string());
    let number = certificate["number"].as_str().unwrap();
    assert!(is_certificate_number(number, 'P'), "{number}");
    assert_eq!(certificate["track"], "PROFESSIONAL");
    assert_eq!(certificate["level"], 3);
    assert_eq!(certificate["status"], "VALID");
    assert!(certificate["revokedAt"].is_null());
    assert_eq!(certificate["institution"]["id"], institution.as_str());
    assert_eq!(certificate["course"]["id"], course.as_str());
    assert_eq!(certificate["holder"]["id"], trainee.as_str());
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certificate").await,
        1
    );
}

#[tokio::test]
async fn failing_marks_the_enrolment_failed_without_a_certificate() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;

    let response = complete(&app, &staff, &enrolment, false).await;

    let failed = &response.data()["completeEnrolment"];
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["score"], 40);
    assert!(failed["certificate"].is_null());
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certificate").await,
        0
    );
}

#[tokio::test]
async fn finishing_a_finished_enrolment_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let mut finished = Vec::new();
    for (how, passed) in [
        ("passed", Some(true)),
        ("failed", Some(false)),
        ("withdrawn", None),
    ] {
        let trainee = fixtures::trainee(&app, &staff).await;
        let enrolment = enrolled(&app, &staff, &trainee, &course).await;
        let response = match passed {
            Some(passed) => complete(&app, &staff, &enrolment, passed).await,
            None => withdraw(&app, &staff, &enrolment).await,
        };
        response.data();
        finished.push((how, enrolment));
    }

    for (how, enrolment) in &finished {
        for passed in [true, false] {
            let response = complete(&app, &staff, enrolment, passed).await;
            assert_eq!(
                response.code(),
                "CONFLICT",
                "complete({passed}) after {how}"
            );
        }
        let response = withdraw(&app, &staff, enrolment).await;
        assert_eq!(response.code(), "CONFLICT", "withdraw after {how}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certificate").await,
        1,
        "only the first pass issues a certificate"
    );
    assert_eq!(enrolled_count(&app, &admin, &course).await, 2);

    // A course whose only enrolment was withdrawn has no seat taken: withdrawing again is
    // still a conflict, and the seat count stays at zero.
    let emptied = NewCourse::host().create(&app, &staff, &institution).await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &emptied).await;
    withdraw(&app, &staff, &enrolment).await.data();
    assert_eq!(withdraw(&app, &staff, &enrolment).await.code(), "CONFLICT");
    assert_eq!(enrolled_count(&app, &admin, &emptied).await, 0);
}

#[tokio::test]
async fn an_out_of_range_score_is_refused_on_score_and_leaves_the_enrolment_open() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;
    let cases = [
        (
            "score 101",
            json!({ "enrolmentId": enrolment, "passed": true, "score": 101 }),
            "score",
        ),
        (
            "score -1",
            json!({ "enrolmentId": enrolment, "passed": false, "score": -1 }),
            "score",
        ),
        (
            "malformed id",
            json!({ "enrolmentId": "nope", "passed": true }),
            "enrolmentId",
        ),
    ];

    for (why, input, field) in cases {
        let response = complete_with(&app, &staff, input).await;

        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            response.body
        );
        assert_eq!(response.field(), Some(field), "{why}: {}", response.body);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certificate").await,
        0
    );
    let response = complete(&app, &staff, &enrolment, true).await;
    assert_eq!(response.data()["completeEnrolment"]["status"], "COMPLETED");
}

#[tokio::test]
async fn withdrawing_frees_the_seat_for_another_trainee() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(1)
        .create(&app, &staff, &institution)
        .await;
    let first = fixtures::trainee(&app, &staff).await;
    let second = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &first, &course).await;
    assert_eq!(
        enrol(&app, Some(&staff), &second, &course).await.code(),
        "CAPACITY_FULL"
    );

    let response = withdraw(&app, &staff, &enrolment).await;

    let withdrawn = &response.data()["withdrawEnrolment"];
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    assert!(withdrawn["certificate"].is_null());
    assert_eq!(enrolled_count(&app, &admin, &course).await, 0);
    let response = enrol(&app, Some(&staff), &second, &course).await;
    assert_eq!(response.data()["enrol"]["created"], true);
    assert_eq!(enrolled_count(&app, &admin, &course).await, 1);
}

#[tokio::test]
async fn another_institution_may_not_complete_or_withdraw_an_enrolment() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let (_, other_admin) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;
    let unknown = Uuid::now_v7().to_string();
    let cases = [
        (
            "another institution",
            Some(other_admin.as_str()),
            enrolment.as_str(),
            "NOT_FOUND",
        ),
        (
            "the city admin",
            Some(admin.as_str()),
            enrolment.as_str(),
            "FORBIDDEN",
        ),
        ("anonymous", None, enrolment.as_str(), "UNAUTHENTICATED"),
        (
            "an unknown enrolment",
            Some(staff.as_str()),
            unknown.as_str(),
            "NOT_FOUND",
        ),
    ];

    for (who, token, enrolment, code) in cases {
        for (mutation, input) in [
            (
                flows::COMPLETE,
                json!({ "enrolmentId": enrolment, "passed": true }),
            ),
            (flows::WITHDRAW, json!({ "enrolmentId": enrolment })),
        ] {
            let response = app
                .graphql_as(token, mutation, json!({ "input": input }))
                .await;
            assert_eq!(response.code(), code, "{who}: {}", response.body);
        }
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certificate").await,
        0
    );
    let response = complete(&app, &staff, &enrolment, true).await;
    assert_eq!(response.data()["completeEnrolment"]["status"], "COMPLETED");
}

#[tokio::test]
async fn racing_results_for_one_enrolment_record_exactly_one() {
    let app = Arc::new(spawn_app().await);
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host()
        .capacity(3)
        .create(&app, &staff, &institution)
        .await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;

    let mut set = JoinSet::new();
    for i in 0..12 {
        let (app, staff, enrolment) = (Arc::clone(&app), staff.clone(), enrolment.clone());
        set.spawn(async move {
            match i % 3 {
                0 => complete(&app, &staff, &enrolment, true).await,
                1 => complete(&app, &staff, &enrolment, false).await,
                _ => withdraw(&app, &staff, &enrolment).await,
            }
        });
    }
    let responses = set.join_all().await;

    let (won, lost): (Vec<_>, Vec<_>) = responses
        .iter()
        .partition(|r| r.body.get("errors").is_none());
    assert_eq!(won.len(), 1, "{responses:?}");
    assert!(lost.iter().all(|r| r.code() == "CONFLICT"), "{lost:?}");
    let status = won[0].body["data"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned();
    let certificates = count(&app, "SELECT COUNT(*) AS n FROM certificate").await;
    assert_eq!(certificates, i64::from(status == "COMPLETED"), "{status}");
    let seats = enrolled_count(&app, &admin, &course).await;
    assert_eq!(seats, i64::from(status != "WITHDRAWN"), "{status}");
}
