//! GraphQL over HTTP: methods, content types, media types, batches, aliases, the time
//! limit and introspection. Every refusal is a coded JSON error, never a 5xx.

use reqwest::Method;
use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};

/// An HTTP answer as a client sees it.
struct Raw {
    status: u16,
    content_type: String,
    allow: Option<String>,
    body: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("{}: body is not JSON: {}", self.status, self.body))
    }

    fn code(&self) -> String {
        self.json()["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
            .to_owned()
    }
}

async fn send(request: reqwest::RequestBuilder) -> Raw {
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let content_type = header(CONTENT_TYPE).unwrap_or_default();
    let allow = header(ALLOW);
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    Raw {
        status,
        content_type,
        allow,
        body,
    }
}

fn url(app: &TestApp) -> String {
    format!("{}/graphql", app.address)
}

/// A POST of `body` with `content_type` and `accept` (each left out when `None`).
async fn post(app: &TestApp, content_type: Option<&str>, accept: Option<&str>, body: &str) -> Raw {
    let mut request = app.client.post(url(app)).body(body.to_owned());
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    send(request).await
}

const CREATE_INSTITUTION: &str = "mutation { createInstitution(input: { name: \"Via GET\", \
     creditCode: \"91440300708461136T\", district: \"Nanshan\", kind: TRAINING_INSTITUTION }) { id } }";

#[tokio::test]
async fn a_query_over_get_is_answered_with_its_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let variables = json!({ "first": 1 }).to_string();

    let response = send(
        app.client
            .get(url(&app))
            .query(&[
                (
                    "query",
                    "query($first: Int) { institutions(first: $first) { totalCount } }",
                ),
                ("variables", variables.as_str()),
            ])
            .bearer_auth(&admin),
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["data"]["institutions"]["totalCount"], 0);
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = send(
        app.client
            .get(url(&app))
            .query(&[("query", CREATE_INSTITUTION)])
            .bearer_auth(&admin),
    )
    .await;

    assert_eq!(response.status, 405, "{}", response.body);
    assert_eq!(response.allow.as_deref(), Some("POST"));
    assert_eq!(response.code(), "BAD_USER_INPUT");
    assert_eq!(app.count("institution").await, 0);
}

#[tokio::test]
async fn a_get_without_a_query_serves_graphiql_to_browsers() {
    let app = spawn_app().await;

    let response = send(app.client.get(url(&app)).header(ACCEPT, "text/html")).await;

    assert_eq!(response.status, 200);
    assert!(
        response.content_type.starts_with("text/html"),
        "{}",
        response.content_type
    );
}

#[tokio::test]
async fn a_post_that_is_not_json_is_refused_with_415_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "query": CREATE_INSTITUTION }).to_string();
    let cases = [
        (
            "text/plain, which browsers send cross-site without a preflight",
            Some("text/plain"),
        ),
        ("a form", Some("application/x-www-form-urlencoded")),
        ("no content type at all", None),
    ];

    for (why, content_type) in cases {
        let mut request = app
            .client
            .post(url(&app))
            .bearer_auth(&admin)
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = send(request).await;

        assert_eq!(response.status, 415, "{why}: {}", response.body);
        assert_eq!(response.code(), "BAD_USER_INPUT", "{why}");
    }
    assert_eq!(app.count("institution").await, 0);
}

#[tokio::test]
async fn other_methods_get_a_coded_405() {
    let app = spawn_app().await;

    let response = send(app.client.request(Method::PUT, url(&app)).body("{}")).await;

    assert_eq!(response.status, 405);
    assert_eq!(response.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn the_answer_has_the_media_type_the_client_accepts() {
    let app = spawn_app().await;
    let body = r#"{"query": "{ __typename }"}"#;
    let cases = [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json",
        ),
    ];

    for (accept, expected) in cases {
        let response = post(&app, Some("application/json"), accept, body).await;

        assert_eq!(response.status, 200, "{accept:?}");
        assert!(
            response.content_type.starts_with(expected),
            "{accept:?}: {}",
            response.content_type
        );
        assert_eq!(response.json()["data"]["__typename"], "Query");
    }
}

#[tokio::test]
async fn a_document_error_is_200_for_json_clients_and_400_without_data_otherwise() {
    let app = spawn_app().await;
    let body = r#"{"query": "{ institutions { totalCount "}"#;

    let legacy = post(
        &app,
        Some("application/json"),
        Some("application/json"),
        body,
    )
    .await;
    let modern = post(
        &app,
        Some("application/json"),
        Some("application/graphql-response+json"),
        body,
    )
    .await;

    assert_eq!(legacy.status, 200);
    assert_eq!(legacy.code(), "BAD_USER_INPUT");
    assert_eq!(modern.status, 400);
    assert_eq!(modern.code(), "BAD_USER_INPUT");
    assert!(modern.json().get("data").is_none(), "{}", modern.body);
}

#[tokio::test]
async fn a_batch_of_operations_is_refused_with_a_coded_400() {
    let app = spawn_app().await;
    let body = r#"[{"query": "{ __typename }"}, {"query": "{ __typename }"}]"#;

    let response = post(&app, Some("application/json"), None, body).await;

    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(response.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_document_over_the_alias_limit_is_refused_and_one_at_the_limit_runs() {
    let app = spawn_app_with(|settings| settings.max_aliases = 3).await;
    let aliases = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("a{i}: __typename")).collect();
        format!("{{ {} }}", fields.join(" "))
    };

    let at_limit = app.graphql(&aliases(3), json!({})).await;
    let over_limit = app.graphql(&aliases(4), json!({})).await;

    assert_eq!(at_limit.data()["a2"], "Query");
    assert!(over_limit.status < 500);
    assert_eq!(over_limit.code(), "BAD_USER_INPUT", "{}", over_limit.body);
}

#[tokio::test]
async fn a_request_running_past_the_time_limit_is_answered_with_timeout() {
    let app = spawn_app_with(|settings| settings.request_timeout_ms = 1).await;

    // Hashing a password alone takes longer than a millisecond.
    let response = app
        .graphql(
            "mutation { login(input: { username: \"admin\", password: \"wrong password here\" }) { token } }",
            json!({}),
        )
        .await;

    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.code(), "TIMEOUT");
    assert_eq!(response.body["data"], Value::Null);
}

#[tokio::test]
async fn with_introspection_off_the_schema_is_hidden_and_nothing_is_suggested() {
    let open = spawn_app().await;
    let closed = spawn_app_with(|settings| settings.introspection = false).await;
    let typo = "{ programes { id } }";
    let introspection = "{ __schema { types { name } } }";

    let suggested = open.graphql(typo, json!({})).await;
    let not_suggested = closed.graphql(typo, json!({})).await;
    let hidden = closed.graphql(introspection, json!({})).await;

    assert!(
        suggested.body.to_string().contains("Did you mean"),
        "{}",
        suggested.body
    );
    assert_eq!(not_suggested.code(), "BAD_USER_INPUT");
    assert!(
        !not_suggested.body.to_string().contains("Did you mean"),
        "{}",
        not_suggested.body
    );
    assert!(hidden.status < 500);
    assert!(hidden.body["data"]["__schema"].is_null(), "{}", hidden.body);
    assert_eq!(
        open.graphql(introspection, json!({}))
            .await
            .body
            .get("errors"),
        None
    );
}

#[tokio::test]
async fn the_standard_introspection_query_is_answered_though_it_nests_past_the_depth_limit() {
    let app = spawn_app().await;
    let mut type_ref = "name".to_owned();
    for _ in 0..9 {
        type_ref = format!("kind name ofType {{ {type_ref} }}");
    }
    let query = format!("{{ __schema {{ types {{ fields {{ type {{ {type_ref} }} }} }} }} }}");

    let response = app.graphql(&query, json!({})).await;

    assert!(
        response.data()["__schema"]["types"].is_array(),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn a_request_without_a_query_is_a_coded_400() {
    let app = spawn_app().await;

    for body in [r#"{"qeury": "{ __typename }"}"#, r#"{"query": " "}"#] {
        let response = post(&app, Some("application/json"), None, body).await;

        assert_eq!(response.status, 400, "{body}: {}", response.body);
        assert_eq!(response.code(), "BAD_USER_INPUT", "{body}");
    }
}
