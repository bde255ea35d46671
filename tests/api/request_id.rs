//! Every request has an id: the client's `x-request-id` echoed (when fit to log), else a
//! new one; it comes back in the response, in `extensions.requestId` of an internal
//! error, and on the log lines of the request.

use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app};
use crate::support::process::Server;

const PROGRAMMES: &str = "{ programmes { id } }";

/// POSTs `query` with `token` and an optional `x-request-id`; the answer's id and body.
async fn send(
    address: &str,
    token: Option<&str>,
    request_id: Option<&str>,
    query: &str,
) -> (String, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    (id, response.json().await.unwrap())
}

/// Makes every read of programmes fail inside the database: an internal error.
async fn break_programmes(app: &TestApp) {
    app.db
        .execute_unprepared("ALTER TABLE programme RENAME TO programme_gone")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_clients_request_id_comes_back_in_the_response() {
    let app = spawn_app().await;

    let (id, _) = send(
        &app.address,
        None,
        Some("checkout-42.a_b"),
        "{ __typename }",
    )
    .await;

    assert_eq!(id, "checkout-42.a_b");
}

#[tokio::test]
async fn a_request_without_a_fit_id_gets_a_new_uuid_v7_each_time() {
    let app = spawn_app().await;

    let (first, _) = send(&app.address, None, None, "{ __typename }").await;
    let (second, _) = send(
        &app.address,
        None,
        Some("has spaces in it"),
        "{ __typename }",
    )
    .await;

    for id in [&first, &second] {
        let uuid = uuid::Uuid::parse_str(id).expect("the id is a UUID");
        assert_eq!(uuid.get_version_num(), 7, "{id}");
    }
    assert_ne!(first, second);
}

#[tokio::test]
async fn an_internal_error_names_the_request_id_and_nothing_of_the_database() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    break_programmes(&app).await;

    let (id, body) = send(&app.address, Some(&admin), None, PROGRAMMES).await;

    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
        "{body}"
    );
    assert_eq!(error["extensions"]["requestId"], id.as_str(), "{body}");
    assert_eq!(error["message"], "internal error");
}

#[tokio::test]
async fn a_client_error_carries_no_request_id() {
    let app = spawn_app().await;

    let (_, body) = send(&app.address, None, None, PROGRAMMES).await;

    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(
        body["errors"][0]["extensions"].get("requestId").is_none(),
        "{body}"
    );
}

#[tokio::test]
async fn json_log_lines_of_a_failed_request_carry_its_id() {
    let app = spawn_app().await;
    let server = Server::start_with(&app.database_url, 5_000, &[("TALENT_LOG_FORMAT", "json")]);
    let admin = app.admin_token().await;
    break_programmes(&app).await;

    let (id, body) = send(
        &server.address,
        Some(&admin),
        Some("log-line-7"),
        PROGRAMMES,
    )
    .await;

    assert_eq!(body["errors"][0]["extensions"]["requestId"], "log-line-7");
    let mut logged = Vec::new();
    for _ in 0..50 {
        logged = server.log_lines();
        if logged.iter().any(|line| line.contains("request failed")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lines: Vec<Value> = logged
        .iter()
        .map(|line| serde_json::from_str(line).expect("every log line is one JSON object"))
        .collect();
    let failure = lines
        .iter()
        .find(|line| line["fields"]["message"] == "request failed")
        .unwrap_or_else(|| panic!("no failure logged: {logged:?}"));
    assert_eq!(failure["level"], "ERROR");
    assert_eq!(failure["span"]["request_id"], id.as_str(), "{failure}");
    assert_eq!(failure["span"]["route"], "/graphql", "{failure}");
}
