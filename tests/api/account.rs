//! Login, logout, `me`, `createUser` (its input rules are in `validation`).

use sea_orm::EntityTrait;
use serde_json::json;
use talent_registry::entity::session;

use crate::support::app::{ADMIN_PASSWORD, USER_PASSWORD, spawn_app};
use crate::support::fixtures::institution_in;

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token expiresAt user { username role } } }";
const ME: &str = "{ me { username role institution { id } } }";

#[tokio::test]
async fn the_bootstrap_admin_can_log_in_and_see_itself() {
    let app = spawn_app().await;

    let token = app.admin_token().await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;

    assert_eq!(me.data()["me"]["username"], "admin");
    assert_eq!(me.data()["me"]["role"], "CITY_ADMIN");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_error() {
    let app = spawn_app().await;

    let unknown = app
        .graphql(
            LOGIN,
            json!({ "input": { "username": "nobody", "password": ADMIN_PASSWORD } }),
        )
        .await;
    let wrong = app
        .graphql(
            LOGIN,
            json!({ "input": { "username": "admin", "password": "not-the-password" } }),
        )
        .await;

    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(
        unknown.body["errors"][0]["message"],
        wrong.body["errors"][0]["message"]
    );
}

#[tokio::test]
async fn me_is_null_without_a_session_and_after_logout() {
    let app = spawn_app().await;
    let token = app.admin_token().await;

    let anonymous = app.graphql(ME, json!({})).await;
    let logout = app
        .graphql_as(Some(&token), "mutation { logout }", json!({}))
        .await;
    let after = app.graphql_as(Some(&token), ME, json!({})).await;

    assert!(anonymous.data()["me"].is_null());
    assert_eq!(logout.data()["logout"], true);
    assert!(after.data()["me"].is_null(), "a revoked token still works");
}

#[tokio::test]
async fn a_forged_token_is_not_a_session() {
    let app = spawn_app().await;

    let me = app
        .graphql_as(Some("forged-token-value"), ME, json!({}))
        .await;
    let write = app
        .graphql_as(
            Some("forged-token-value"),
            "mutation { createProgramme(input: { name: \"x\", startsOn: \"2026-01-01\", endsOn: \"2026-12-31\" }) { id } }",
            json!({}),
        )
        .await;

    assert!(me.data()["me"].is_null());
    assert_eq!(write.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_institution_admin_creates_staff_of_its_own_institution_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let other = institution_in(&app, &admin, "Nanshan").await.0;
    let create = |role: &'static str, institution: String| {
        json!({ "input": {
            "username": format!("staff{}", rand::random::<u32>()),
            "password": USER_PASSWORD,
            "role": role,
            "institutionId": institution,
        }})
    };
    let query = "mutation($input: CreateUserInput!) { createUser(input: $input) { role institution { id } } }";

    let own_staff = app
        .graphql_as(
            Some(&institution_admin),
            query,
            create("INSTITUTION_STAFF", institution.clone()),
        )
        .await;
    let other_staff = app
        .graphql_as(
            Some(&institution_admin),
            query,
            create("INSTITUTION_STAFF", other),
        )
        .await;
    let own_admin = app
        .graphql_as(
            Some(&institution_admin),
            query,
            create("INSTITUTION_ADMIN", institution.clone()),
        )
        .await;

    assert_eq!(
        own_staff.data()["createUser"]["institution"]["id"],
        institution.as_str()
    );
    assert_eq!(other_staff.code(), "FORBIDDEN");
    assert_eq!(own_admin.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_taken_username_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let input = json!({ "input": { "username": "analyst", "password": USER_PASSWORD, "role": "CITY_ANALYST" } });
    let query = "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }";

    app.graphql_as(Some(&admin), query, input.clone())
        .await
        .data();
    let again = app.graphql_as(Some(&admin), query, input).await;

    assert_eq!(again.code(), "CONFLICT");
}

#[tokio::test]
async fn an_empty_or_huge_password_is_unauthenticated_not_a_server_error() {
    let app = spawn_app().await;
    let cases = [
        ("empty password", "admin", String::new()),
        ("10 kB password", "admin", "p".repeat(10 * 1024)),
        (
            "10 kB password of an unknown user",
            "nobody",
            "p".repeat(10 * 1024),
        ),
        ("empty username", "", ADMIN_PASSWORD.to_owned()),
        (
            "10 kB username",
            &*"a".repeat(10 * 1024),
            ADMIN_PASSWORD.to_owned(),
        ),
    ];

    for (why, username, password) in cases {
        let response = app
            .graphql(
                LOGIN,
                json!({ "input": { "username": username, "password": password } }),
            )
            .await;
        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(
            response.code(),
            "UNAUTHENTICATED",
            "{why}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn a_username_is_matched_case_insensitively_at_login() {
    let app = spawn_app().await;

    let token = app.login(" ADMIN ", ADMIN_PASSWORD).await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;

    assert_eq!(me.data()["me"]["username"], "admin");
}

#[tokio::test]
async fn an_expired_session_is_not_a_session() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, past.into())
        .exec(&app.db)
        .await
        .unwrap();

    let me = app.graphql_as(Some(&token), ME, json!({})).await;
    let read = app
        .graphql_as(Some(&token), "{ institutions { totalCount } }", json!({}))
        .await;

    assert!(me.data()["me"].is_null(), "an expired token still works");
    assert_eq!(read.code(), "UNAUTHENTICATED");
}
