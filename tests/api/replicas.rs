//! Limits across replicas: two servers on one PostgreSQL database admit the login and
//! verification limits once between them, not once each.

use serde_json::{Value, json};

use crate::support::app::{ADMIN_PASSWORD, require_postgres, spawn_app_with};
use crate::support::gql::Gql;
use crate::support::process::Server;
use crate::support::reads;

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";

fn login_as(password: &str) -> Value {
    json!({ "input": { "username": "admin", "password": password } })
}

fn code(response: &Gql) -> Option<&str> {
    response.body["errors"][0]["extensions"]["code"].as_str()
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn two_servers_on_one_database_admit_the_verification_limit_once() {
    require_postgres();
    let first = spawn_app_with(|settings| settings.verify_per_minute = 3).await;
    let second = Server::start_with(
        &first.database_url,
        5_000,
        &[("TALENT_VERIFY_PER_MINUTE", "3")],
    );
    let variables = json!({ "number": "H2025-AAAAA-BBBBB", "holderName": "张三" });

    let mut codes = Vec::new();
    for on_first in [true, false, true, false, true] {
        let response = if on_first {
            first.graphql(reads::VERIFY, variables.clone()).await
        } else {
            second
                .graphql_as(None, reads::VERIFY, variables.clone())
                .await
                .unwrap()
        };
        codes.push(code(&response).map(str::to_owned));
    }

    let limited = |c: &Option<String>| c.as_deref() == Some("RATE_LIMITED");
    assert!(!codes[..3].iter().any(limited), "{codes:?}");
    assert!(
        codes[3..].iter().all(limited),
        "the fourth and fifth calls are over the one limit of both servers: {codes:?}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn two_servers_on_one_database_share_the_failed_login_limit() {
    require_postgres();
    let first = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;
    let second = Server::start_with(
        &first.database_url,
        5_000,
        &[("TALENT_LOGIN_FAILURES_PER_ACCOUNT", "3")],
    );
    for _ in 0..2 {
        let failed = first.graphql(LOGIN, login_as("not the password")).await;
        assert_eq!(code(&failed), Some("UNAUTHENTICATED"), "{}", failed.body);
    }
    let failed = second
        .graphql_as(None, LOGIN, login_as("not the password"))
        .await
        .unwrap();
    assert_eq!(code(&failed), Some("UNAUTHENTICATED"), "{}", failed.body);

    let on_second = second
        .graphql_as(None, LOGIN, login_as(ADMIN_PASSWORD))
        .await
        .unwrap();
    let on_first = first.graphql(LOGIN, login_as(ADMIN_PASSWORD)).await;

    assert_eq!(code(&on_second), Some("RATE_LIMITED"), "{}", on_second.body);
    assert_eq!(code(&on_first), Some("RATE_LIMITED"), "{}", on_first.body);
}
