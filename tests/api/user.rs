//! `createUser` input rules, table-driven, and username normalization.

use serde_json::{Value, json};

use crate::support::app::{USER_PASSWORD, spawn_app};
use crate::support::fixtures::institution_in;
use crate::support::gql::CREATE_USER;
use crate::support::hostile::{Refusal, with};
use crate::support::ids::username;

fn analyst() -> Value {
    json!({ "username": username(), "password": USER_PASSWORD, "role": "CITY_ANALYST", "institutionId": null })
}

/// An analyst with one refused `field`: the error names it.
fn bad(why: &'static str, field: &'static str, value: impl Into<Value>) -> Refusal {
    (why, with(&analyst(), field, value), field)
}

/// A user of `role` with `institution`, refused on `institutionId` (or `role`).
fn bad_scope(
    why: &'static str,
    role: &str,
    institution: Option<&str>,
    field: &'static str,
) -> Refusal {
    let input = with(
        &with(&analyst(), "role", role),
        "institutionId",
        institution,
    );
    (why, input, field)
}

#[tokio::test]
async fn every_invalid_user_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let institution = institution_in(&app, &admin, "Nanshan").await.0;
    let some = Some(institution.as_str());

    let cases = vec![
        bad("username of 2 characters", "username", "ab"),
        bad("username of 65 characters", "username", "a".repeat(65)),
        bad("username with a space", "username", "zhang san"),
        bad("username with an at sign", "username", "zhang@example.com"),
        bad("username in Chinese", "username", "张三丰"),
        bad("username starting with a dot", "username", ".admin"),
        bad("empty username", "username", ""),
        bad("password of 11 characters", "password", "elevenchars"),
        bad("password of 129 characters", "password", "p".repeat(129)),
        bad("empty password", "password", ""),
        bad_scope(
            "admin without institution",
            "INSTITUTION_ADMIN",
            None,
            "institutionId",
        ),
        bad_scope(
            "staff without institution",
            "INSTITUTION_STAFF",
            None,
            "institutionId",
        ),
        bad_scope(
            "analyst with institution",
            "CITY_ANALYST",
            some,
            "institutionId",
        ),
        bad_scope(
            "city admin with institution",
            "CITY_ADMIN",
            some,
            "institutionId",
        ),
        bad_scope(
            "malformed institution",
            "INSTITUTION_STAFF",
            Some("i-1"),
            "institutionId",
        ),
        bad_scope("TRAINEE role", "TRAINEE", None, "role"),
        bad_scope("TRAINEE role with institution", "TRAINEE", some, "role"),
    ];

    app.assert_refused(&admin, CREATE_USER, "\"user\"", cases)
        .await;
}

#[tokio::test]
async fn a_username_is_stored_lowercased_and_its_case_variant_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let name = username();
    let query = "mutation($input: CreateUserInput!) { createUser(input: $input) { username } }";
    let shouted = with(&analyst(), "username", format!(" {} ", name.to_uppercase()));

    let created = app
        .graphql_as(Some(&admin), query, json!({ "input": shouted }))
        .await;
    let again = app
        .graphql_as(
            Some(&admin),
            query,
            json!({ "input": with(&analyst(), "username", name.clone()) }),
        )
        .await;

    assert_eq!(created.data()["createUser"]["username"], name.as_str());
    assert_eq!(again.code(), "CONFLICT");
    assert!(!app.login(&name, USER_PASSWORD).await.is_empty());
}
