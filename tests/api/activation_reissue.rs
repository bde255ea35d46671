//! Activation codes expire (`TALENT_ACTIVATION_TTL_DAYS`) and are reissued by an owning
//! institution with `reissueActivationCode`, which invalidates the previous code.

use std::time::Duration;

use serde_json::json;

use crate::support::accounts::message;
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{activation, register};
use crate::support::gql::Gql;
use crate::support::ids::{resident_id, username};
use crate::support::roles::Roles;

const REISSUE: &str = "mutation($input: TraineeIdInput!) {
  reissueActivationCode(input: $input) { activationCode expiresAt trainee { id } }
}";
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

async fn reissue(app: &TestApp, token: Option<&str>, trainee: &str) -> Gql {
    app.graphql_as(token, REISSUE, json!({ "input": { "traineeId": trainee } }))
        .await
}

fn code_of(response: &Gql) -> String {
    response.data()["reissueActivationCode"]["activationCode"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_code_older_than_its_lifetime_answers_as_an_invalid_one() {
    let app = spawn_app().await;
    let institution = app.world().await.institution().await;
    let (_, registered) = register(&app, &institution.admin, "张三").await;
    let enrolled = app
        .graphql_as(
            Some(&institution.admin),
            "mutation($input: EnrolManyInput!) { enrolMany(input: $input) { results { activationCode } } }",
            json!({ "input": {
                "courseId": institution.course(crate::support::fixtures::NewCourse::host()).await,
                "trainees": [{ "name": "李四", "idNumber": resident_id() }],
            }}),
        )
        .await;
    let batch_code = enrolled.data()["enrolMany"]["results"][0]["activationCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let garbage = activation(&app, "not-a-code", &username()).await;

    app.advance_clock(30 * DAY + Duration::from_secs(60));
    let from_register = activation(&app, &registered, &username()).await;
    let from_batch = activation(&app, &batch_code, &username()).await;

    for (why, expired) in [
        ("registerTrainee", &from_register),
        ("enrolMany", &from_batch),
    ] {
        assert_eq!(expired.code(), garbage.code(), "{why}: {}", expired.body);
        assert_eq!(message(expired), message(&garbage), "{why}");
    }
    assert_eq!(app.count("\"user\" WHERE role = 'TRAINEE'").await, 0);
}

#[tokio::test]
async fn a_code_within_its_lifetime_still_works() {
    let app = spawn_app().await;
    let institution = app.world().await.institution().await;
    let (_, code) = register(&app, &institution.admin, "张三").await;

    app.advance_clock(29 * DAY);
    let activated = activation(&app, &code, &username()).await;

    assert_eq!(
        activated.data()["activateTraineeAccount"]["user"]["role"],
        "TRAINEE"
    );
}

#[tokio::test]
async fn a_reissued_code_replaces_the_previous_one_and_works_after_the_first_expired() {
    let app = spawn_app().await;
    let institution = app.world().await.institution().await;
    let staff = institution.staff().await;
    let (trainee, first) = register(&app, &institution.admin, "张三").await;
    app.advance_clock(31 * DAY);

    let reissued = reissue(&app, Some(&staff), &trainee).await;
    let second = code_of(&reissued);
    let old = activation(&app, &first, &username()).await;
    let new = activation(&app, &second, &username()).await;

    assert_eq!(
        reissued.data()["reissueActivationCode"]["trainee"]["id"],
        trainee.as_str()
    );
    let expires: chrono::DateTime<chrono::Utc> =
        reissued.data()["reissueActivationCode"]["expiresAt"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let expected = chrono::Utc::now() + chrono::Duration::days(61);
    assert!(
        (expires - expected).num_minutes().abs() < 5,
        "expiresAt {expires}, expected about {expected}"
    );
    assert_eq!(old.code(), "NOT_FOUND");
    assert_eq!(
        new.data()["activateTraineeAccount"]["user"]["role"],
        "TRAINEE"
    );
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE action = 'reissueActivationCode' AND record_ids = '{trainee}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn reissue_for_a_trainee_with_an_account_is_a_conflict() {
    let app = spawn_app().await;
    let r = Roles::build(&app).await;
    let before = app.count("audit_log").await;

    let response = reissue(&app, Some(&r.institution_admin), &r.trainee).await;

    assert_eq!(response.code(), "CONFLICT", "{}", response.body);
    assert_eq!(app.count("audit_log").await, before);
    assert_eq!(
        app.count("trainee WHERE activation_code_hash IS NOT NULL AND id IN (SELECT trainee_id FROM \"user\")")
            .await,
        0,
        "a code was stored for a trainee with an account"
    );
}

#[tokio::test]
async fn reissue_by_anyone_but_an_owning_institution_is_refused_and_the_code_still_works() {
    let app = spawn_app().await;
    let r = Roles::build(&app).await;
    let (trainee, code) = register(&app, &r.institution_admin, "张三").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = [
        (
            "another institution's admin",
            Some(r.other_admin.as_str()),
            trainee.as_str(),
            "NOT_FOUND",
        ),
        (
            "an unknown trainee",
            Some(r.institution_admin.as_str()),
            unknown.as_str(),
            "NOT_FOUND",
        ),
        (
            "the city admin",
            Some(r.admin.as_str()),
            trainee.as_str(),
            "FORBIDDEN",
        ),
        (
            "the analyst",
            Some(r.analyst.as_str()),
            trainee.as_str(),
            "FORBIDDEN",
        ),
        (
            "a trainee",
            Some(r.trainee_token.as_str()),
            trainee.as_str(),
            "FORBIDDEN",
        ),
        ("anonymous", None, trainee.as_str(), "UNAUTHENTICATED"),
        (
            "a malformed id",
            Some(r.institution_admin.as_str()),
            "t-1",
            "BAD_USER_INPUT",
        ),
    ];

    let unknown_answer = reissue(&app, Some(&r.institution_admin), &unknown).await;
    for (why, token, id, expected) in cases {
        let response = reissue(&app, token, id).await;
        assert!(response.status < 500, "{why}");
        assert_eq!(response.code(), expected, "{why}: {}", response.body);
        if expected == "NOT_FOUND" {
            assert_eq!(
                message(&response).as_str().unwrap().replace(id, "ID"),
                message(&unknown_answer)
                    .as_str()
                    .unwrap()
                    .replace(&unknown, "ID"),
                "{why}"
            );
        }
        if expected == "BAD_USER_INPUT" {
            assert_eq!(response.field(), Some("traineeId"), "{why}");
        }
    }
    let activated = activation(&app, &code, &username()).await;
    assert_eq!(
        activated.data()["activateTraineeAccount"]["user"]["role"],
        "TRAINEE"
    );
}

#[tokio::test]
async fn a_reissue_racing_an_activation_lets_exactly_one_of_them_through() {
    let app = spawn_app().await;
    let institution = app.world().await.institution().await;

    for round in 0..5 {
        let (trainee, code) = register(&app, &institution.admin, "张三").await;
        let name = username();
        let (activated, reissued) = tokio::join!(
            activation(&app, &code, &name),
            reissue(&app, Some(&institution.admin), &trainee),
        );

        let activated_ok = activated.body.get("errors").is_none();
        let reissued_ok = reissued.body.get("errors").is_none();
        assert!(
            activated_ok != reissued_ok,
            "round {round}: {} / {}",
            activated.body,
            reissued.body
        );
        if activated_ok {
            assert_eq!(reissued.code(), "CONFLICT", "round {round}");
        } else {
            assert_eq!(activated.code(), "NOT_FOUND", "round {round}");
        }
    }
}
