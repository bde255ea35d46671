//! `programmes`, `createProgramme`, `setTarget`: the default programme, targets, rules.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::gql::{CREATE_PROGRAMME, SET_TARGET};
use crate::support::hostile::with;

fn programme() -> Value {
    json!({
        "name": "Pilot 2026", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
        "targets": [{ "track": "HOST", "target": 100 }, { "track": "PROFESSIONAL", "target": 400 }],
    })
}

#[tokio::test]
async fn the_default_programme_carries_the_action_plan_targets() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = app
        .graphql_as(
            Some(&admin),
            "{ programmes { name startsOn endsOn targets { track target } } }",
            json!({}),
        )
        .await;

    let programmes = response.data()["programmes"].as_array().unwrap();
    assert_eq!(programmes.len(), 1);
    assert_eq!(programmes[0]["startsOn"], "2023-01-01");
    assert_eq!(programmes[0]["endsOn"], "2025-12-31");
    assert_eq!(
        programmes[0]["targets"],
        json!([{ "track": "HOST", "target": 3000 }, { "track": "PROFESSIONAL", "target": 10000 }])
    );
}

#[tokio::test]
async fn a_city_admin_creates_a_programme_and_replaces_one_target() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let created = app
        .graphql_as(
            Some(&admin),
            CREATE_PROGRAMME,
            json!({ "input": programme() }),
        )
        .await;
    let id = created.data()["createProgramme"]["id"].as_str().unwrap();
    let set = app
        .graphql_as(
            Some(&admin),
            SET_TARGET,
            json!({ "input": { "programmeId": id, "track": "HOST", "target": 0 } }),
        )
        .await;

    assert_eq!(created.data()["createProgramme"]["name"], "Pilot 2026");
    assert_eq!(
        set.data()["setTarget"]["targets"],
        json!([{ "track": "HOST", "target": 0 }, { "track": "PROFESSIONAL", "target": 400 }])
    );
    assert_eq!(app.count("programme_target").await, 4, "2 default + 2 new");
}

#[tokio::test]
async fn a_one_day_programme_without_targets_is_accepted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let input = json!({ "name": "Launch day", "startsOn": "2026-05-01", "endsOn": "2026-05-01" });

    let created = app
        .graphql_as(Some(&admin), CREATE_PROGRAMME, json!({ "input": input }))
        .await;

    assert_eq!(created.data()["createProgramme"]["targets"], json!([]));
}

#[tokio::test]
async fn every_invalid_programme_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let base = programme();
    let host = |target: i32| json!({ "track": "HOST", "target": target });

    let cases = vec![
        (
            "ends the day before it starts",
            with(&base, "endsOn", "2025-12-31"),
            "endsOn",
        ),
        (
            "negative target",
            with(&base, "targets", json!([host(-1)])),
            "target",
        ),
        (
            "target over 100,000,000",
            with(&base, "targets", json!([host(100_000_001)])),
            "target",
        ),
        (
            "the same track twice",
            with(&base, "targets", json!([host(1), host(2)])),
            "targets",
        ),
        ("empty name", with(&base, "name", ""), "name"),
        (
            "name with a control character",
            with(&base, "name", "Pilot\u{0}2026"),
            "name",
        ),
    ];

    app.assert_refused(&admin, CREATE_PROGRAMME, "programme", cases)
        .await;
    assert_eq!(app.count("programme_target").await, 2, "only the default's");
}

#[tokio::test]
async fn set_target_refuses_a_negative_target_and_a_malformed_id_and_finds_no_unknown_id() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app
        .graphql_as(Some(&admin), "{ programmes { id } }", json!({}))
        .await
        .data()["programmes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let input = |programme: &str, target: i32| json!({ "input": { "programmeId": programme, "track": "PROFESSIONAL", "target": target } });
    let cases = [
        (
            "negative target",
            input(&id, -1),
            "BAD_USER_INPUT",
            Some("target"),
        ),
        (
            "malformed id",
            input("programme-1", 5),
            "BAD_USER_INPUT",
            Some("programmeId"),
        ),
        (
            "unknown id",
            input(&uuid::Uuid::now_v7().to_string(), 5),
            "NOT_FOUND",
            None,
        ),
    ];

    for (why, variables, code, field) in cases {
        let response = app.graphql_as(Some(&admin), SET_TARGET, variables).await;
        assert_eq!(response.code(), code, "{why}: {}", response.body);
        assert_eq!(response.field(), field, "{why}");
    }
    let targets = app
        .graphql_as(
            Some(&admin),
            "{ programmes { targets { target } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        targets.data()["programmes"][0]["targets"],
        json!([{ "target": 3000 }, { "target": 10000 }])
    );
    assert_eq!(app.count("programme_target").await, 2);
}
