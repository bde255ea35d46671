//! Refusals by the GraphQL engine and the HTTP layer: wrong types, unknown fields,
//! syntax errors, unreadable bodies. All are `BAD_USER_INPUT`, none is a 5xx.

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app};
use crate::support::gql::CREATE_COURSE;

/// `createCourse` variables: a valid course of `institution` with `key` set to `value`.
fn course(institution: &str, key: &str, value: Value) -> Value {
    let mut input =
        json!({ "institutionId": institution, "title": "Hosting", "track": "HOST", "hours": 8 });
    input[key] = value;
    json!({ "input": input })
}

/// Sends each case as `createCourse` and asserts a `BAD_USER_INPUT` naming the field.
async fn assert_refused_on_field(app: &TestApp, token: &str, cases: Vec<(&str, Value, &str)>) {
    for (why, variables, field) in cases {
        let response = app.graphql_as(Some(token), CREATE_COURSE, variables).await;
        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            response.body
        );
        assert_eq!(response.field(), Some(field), "{why}: {}", response.body);
    }
    assert_eq!(app.count("course").await, 0);
}

#[tokio::test]
async fn a_variable_of_the_wrong_type_is_bad_user_input_on_its_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let cases = vec![
        (
            "level as a string",
            course(&institution, "level", json!("abc")),
            "level",
        ),
        (
            "hours as a float",
            course(&institution, "hours", json!(1.5)),
            "hours",
        ),
        (
            "track not in the enum",
            course(&institution, "track", json!("BOAT")),
            "track",
        ),
        (
            "title missing",
            course(&institution, "title", json!(null)),
            "title",
        ),
        (
            "title as an object",
            course(&institution, "title", json!({ "a": 1 })),
            "title",
        ),
    ];

    assert_refused_on_field(&app, &institution_admin, cases).await;
}

#[tokio::test]
async fn a_scalar_that_fails_to_parse_is_bad_user_input_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let cases = [
        (
            "hours beyond 32 bits",
            course(&institution, "hours", json!(4_294_967_296_i64)),
            "hours",
        ),
        (
            "startsOn on 30 February",
            course(&institution, "startsOn", json!("2025-02-30")),
            "startsOn",
        ),
        (
            "endsOn not a date",
            course(&institution, "endsOn", json!("soon")),
            "endsOn",
        ),
    ];

    for (why, variables, field) in cases {
        let response = app
            .graphql_as(Some(&institution_admin), CREATE_COURSE, variables)
            .await;
        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            response.body
        );
        assert_eq!(response.field(), Some(field), "{why}: {}", response.body);
    }
    assert_eq!(app.count("course").await, 0);
}

#[tokio::test]
async fn malformed_documents_are_bad_user_input_and_never_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cases = [
        ("a syntax error", "{ institutions { totalCount "),
        ("an unknown field", "{ institutions { totalCount secret } }"),
        ("an unknown query", "{ everything }"),
        (
            "an inline argument of the wrong type",
            "{ institutions(first: \"ten\") { totalCount } }",
        ),
        (
            "a missing required variable",
            "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id } }",
        ),
        ("an empty document", ""),
    ];

    for (why, query) in cases {
        let response = app.graphql_as(Some(&admin), query, json!({})).await;
        assert!(response.status < 500, "{why}: status {}", response.status);
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            response.body
        );
    }
}

#[tokio::test]
async fn an_unreadable_request_body_is_bad_user_input_and_never_a_server_error() {
    let app = spawn_app().await;
    let cases = [
        ("not JSON", "{ this is not json"),
        ("truncated JSON", "{\"query\": \"{ me { id } }"),
        ("JSON without a query", "{\"variables\": {}}"),
        ("a JSON string", "\"query\""),
        (
            "a batch of two",
            "[{\"query\": \"{ me { id } }\"}, {\"query\": \"{ me { id } }\"}]",
        ),
    ];

    for (why, body) in cases {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(status < 500, "{why}: {status} {text}");
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{why}: response is not JSON: {text}"));
        assert_eq!(
            json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{why}: {json}"
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_a_server_error() {
    let app = spawn_app().await;
    let padding = " ".repeat(talent_registry::http::MAX_BODY_BYTES + 1);
    let body = format!("{{\"query\": \"{{ me {{ username }} }}{padding}\"}}");

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();

    let status = response.status().as_u16();
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(status, 413);
    assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_query_nested_beyond_the_depth_limit_is_refused_before_it_runs() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut selection = "id".to_owned();
    for _ in 0..8 {
        selection = format!("enrolments {{ trainee {{ {selection} }} }}");
    }
    let query = format!("{{ trainees {{ edges {{ node {{ {selection} }} }} }} }}");

    let response = app.graphql_as(Some(&admin), &query, json!({})).await;

    assert!(response.status < 500, "status {}", response.status);
    assert_eq!(response.code(), "BAD_USER_INPUT", "{}", response.body);
}
