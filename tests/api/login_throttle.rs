//! Failed logins are throttled per account and per client address (`RATE_LIMITED`), and
//! password hashing never holds up other requests.

use serde_json::{Value, json};
use talent_registry::service::rate_limit::LOGIN_FAILURE_WINDOW;
use tokio::task::JoinHandle;

use crate::support::app::{ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app_with};
use crate::support::gql::Gql;

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";

async fn login(app: &TestApp, username: &str, password: &str) -> Gql {
    app.graphql(
        LOGIN,
        json!({ "input": { "username": username, "password": password } }),
    )
    .await
}

/// A login sent on its own task; resolves to the JSON answer.
fn spawn_login(app: &TestApp, username: String) -> JoinHandle<Value> {
    let request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({
            "query": LOGIN,
            "variables": { "input": { "username": username, "password": "not the password" } },
        }));
    tokio::spawn(async move { request.send().await.unwrap().json().await.unwrap() })
}

#[tokio::test]
async fn failures_past_the_account_limit_are_rate_limited_even_with_the_right_password() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;

    for attempt in 0..3 {
        let response = login(&app, "admin", "not the password").await;
        assert_eq!(response.code(), "UNAUTHENTICATED", "attempt {attempt}");
    }
    let response = login(&app, "admin", ADMIN_PASSWORD).await;

    assert_eq!(response.code(), "RATE_LIMITED", "{}", response.body);
}

#[tokio::test]
async fn a_throttled_account_signs_in_again_once_the_failure_window_has_passed() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;
    for _ in 0..3 {
        login(&app, "admin", "not the password").await;
    }
    let throttled = login(&app, "admin", ADMIN_PASSWORD).await;

    app.advance_clock(LOGIN_FAILURE_WINDOW);
    let response = login(&app, "admin", ADMIN_PASSWORD).await;

    assert_eq!(throttled.code(), "RATE_LIMITED", "{}", throttled.body);
    assert!(
        response.data()["login"]["token"].is_string(),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn a_throttled_account_does_not_stop_another_account_from_signing_in() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;
    let admin = app.admin_token().await;
    let other = app.user(&admin, "CITY_ANALYST", None).await;
    let other_name = app
        .graphql_as(Some(&other), "{ me { username } }", json!({}))
        .await
        .data()["me"]["username"]
        .as_str()
        .unwrap()
        .to_owned();

    for _ in 0..4 {
        login(&app, "admin", "not the password").await;
    }
    let response = login(&app, &other_name, USER_PASSWORD).await;

    assert!(
        response.data()["login"]["token"].is_string(),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn failures_past_the_address_limit_are_rate_limited_for_every_account() {
    let app = spawn_app_with(|settings| settings.login_failures_per_address = 4).await;

    for attempt in 0..4 {
        let response = login(&app, &format!("nobody{attempt}"), "not the password").await;
        assert_eq!(response.code(), "UNAUTHENTICATED", "attempt {attempt}");
    }
    let response = login(&app, "admin", ADMIN_PASSWORD).await;

    assert_eq!(response.code(), "RATE_LIMITED", "{}", response.body);
}

#[tokio::test]
async fn a_successful_login_clears_the_account_failures() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;

    for _ in 0..2 {
        login(&app, "admin", "not the password").await;
    }
    login(&app, "admin", ADMIN_PASSWORD).await.data();
    for _ in 0..2 {
        login(&app, "admin", "not the password").await;
    }
    let response = login(&app, "admin", ADMIN_PASSWORD).await;

    assert!(
        response.data()["login"]["token"].is_string(),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn concurrent_guesses_cannot_get_past_the_account_limit() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;

    let guesses: Vec<_> = (0..10)
        .map(|_| spawn_login(&app, "admin".to_owned()))
        .collect();
    let mut codes = Vec::new();
    for guess in guesses {
        let answer = guess.await.unwrap();
        codes.push(
            answer["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    codes.sort_unstable();
    let expected: Vec<&str> = [["RATE_LIMITED"; 7].as_slice(), &["UNAUTHENTICATED"; 3]].concat();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn other_requests_are_answered_while_passwords_are_being_hashed() {
    let app = spawn_app_with(|settings| {
        settings.login_failures_per_account = 100;
        settings.login_failures_per_address = 100;
    })
    .await;

    let logins: Vec<_> = (0..16)
        .map(|i| spawn_login(&app, format!("nobody{i}")))
        .collect();
    let query = app.graphql("{ programmes { name } }", json!({})).await;

    assert!(query.status < 500);
    assert!(
        logins.iter().any(|login| !login.is_finished()),
        "the query waited for every password hash"
    );
    for login in logins {
        let answer = login.await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
}
