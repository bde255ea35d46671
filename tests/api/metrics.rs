//! `GET /metrics`: Prometheus text of requests by route and status, GraphQL operations by
//! name and code, latencies, the pool, rate-limit refusals and the current programme's
//! goals; only for loopback peers or with the metrics token.
//!
//! The recorder is one per process and every test app shares it, so these tests look at
//! labels of their own (an operation name, a programme id) or at increases.

use std::net::{IpAddr, UdpSocket};

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::reads;

/// The scrape as text, from `address` with an optional bearer token; status and body.
async fn scrape_at(address: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{address}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn scrape(app: &TestApp) -> String {
    let (status, text) = scrape_at(&app.address, None).await;
    assert_eq!(status, 200, "{text}");
    text
}

/// The value of the sample `series` (name and labels exactly as rendered), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

/// A name no other test sends.
fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let app = spawn_app().await;
    let series = r#"http_requests_total{method="GET",route="/healthz",status="200"}"#;
    let before = sample(&scrape(&app).await, series).unwrap_or(0.0);
    let stray = unique_name("nowhere");
    for _ in 0..3 {
        app.client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
    }
    app.client
        .get(format!("{}/{stray}", app.address))
        .send()
        .await
        .unwrap();

    let text = scrape(&app).await;

    assert!(sample(&text, series).unwrap() >= before + 3.0, "{text}");
    assert!(
        sample(
            &text,
            r#"http_requests_total{method="GET",route="unmatched",status="404"}"#
        )
        .is_some(),
        "{text}"
    );
    assert!(!text.contains(&stray), "raw paths are never labels");
    assert!(
        text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.005"}"#
        ),
        "{text}"
    );
}

#[tokio::test]
async fn graphql_operations_are_counted_by_name_and_error_code_with_their_latency() {
    let app = spawn_app().await;
    let fine = unique_name("Probe");
    let refused = unique_name("ProbeRefused");
    for _ in 0..2 {
        app.graphql(&format!("query {fine} {{ __typename }}"), json!({}))
            .await;
    }
    app.graphql(
        &format!("query {refused} {{ programmes {{ id }} }}"),
        json!({}),
    )
    .await;

    let text = scrape(&app).await;

    let ok = format!(r#"graphql_operations_total{{operation="{fine}",code="none"}}"#);
    let denied =
        format!(r#"graphql_operations_total{{operation="{refused}",code="UNAUTHENTICATED"}}"#);
    let latency = format!(r#"graphql_operation_duration_seconds_count{{operation="{fine}"}}"#);
    assert_eq!(sample(&text, &ok), Some(2.0), "{text}");
    assert_eq!(sample(&text, &denied), Some(1.0), "{text}");
    assert_eq!(sample(&text, &latency), Some(2.0), "{text}");
}

#[tokio::test]
async fn the_pool_and_rate_limit_refusals_are_reported() {
    let app = spawn_app_with(|settings| settings.verify_per_minute = 1).await;
    let series = r#"rate_limit_refusals_total{limiter="verification"}"#;
    let before = sample(&scrape(&app).await, series).unwrap_or(0.0);
    let variables = json!({ "number": "H2025-AAAAA-BBBBB", "holderName": "张三" });
    for _ in 0..3 {
        app.graphql(reads::VERIFY, variables.clone()).await;
    }

    let text = scrape(&app).await;

    assert!(sample(&text, series).unwrap() >= before + 2.0, "{text}");
    for state in ["in_use", "idle"] {
        let pool = format!(r#"db_pool_connections{{state="{state}"}}"#);
        assert!(sample(&text, &pool).is_some(), "{pool} missing: {text}");
    }
}

#[tokio::test]
async fn each_goal_of_the_current_programme_is_reported_as_progress_answers_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let query = "{ programmeProgress { programme { id } goals { kind target achieved } } }";
    let programme = app.graphql_as(Some(&admin), query, json!({})).await.data()
        ["programmeProgress"]["programme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::goals::set_goal(&app, &admin, &programme, "BASES_AND_PARKS", 50.0)
        .await
        .data();

    let text = scrape(&app).await;
    let progress = app.graphql_as(Some(&admin), query, json!({})).await;

    let goals = progress.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!goals.is_empty());
    for goal in goals {
        let labels = format!(
            r#"{{programme="{programme}",goal="{}"}}"#,
            goal["kind"].as_str().unwrap()
        );
        let achieved = sample(&text, &format!("talent_goal_achieved{labels}"));
        let target = sample(&text, &format!("talent_goal_target{labels}"));
        assert_eq!(achieved, goal["achieved"].as_f64(), "{labels}: {text}");
        assert_eq!(target, goal["target"].as_f64(), "{labels}: {text}");
    }
}

/// This machine's address on its default route: a peer that is not loopback.
fn outward_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").unwrap();
    // Connecting a UDP socket sends nothing; it only picks the route's source address.
    socket
        .connect("203.0.113.1:9")
        .expect("this test needs a network interface besides loopback");
    socket.local_addr().unwrap().ip()
}

#[tokio::test]
async fn a_peer_beyond_loopback_needs_the_metrics_token() {
    let app = spawn_app_with(|settings| {
        settings.listen = "0.0.0.0:0".parse().unwrap();
        settings.metrics_token = Some("metrics-token-for-tests".into());
        settings.trusted_proxies =
            talent_registry::http::TrustedProxies::parse("0.0.0.0/0").unwrap();
    })
    .await;
    let port = app.address.rsplit(':').next().unwrap();
    let outside = format!("http://{}:{port}", outward_address());

    let (anonymous, body) = scrape_at(&outside, None).await;
    let (wrong, _) = scrape_at(&outside, Some("metrics-token-for-test")).await;
    let forwarded = reqwest::Client::new()
        .get(format!("{outside}/metrics"))
        .header("x-forwarded-for", "127.0.0.1")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    let (admitted, text) = scrape_at(&outside, Some("metrics-token-for-tests")).await;

    assert_eq!(anonymous, 403);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert_eq!(wrong, 403);
    assert_eq!(forwarded, 403, "a forwarded loopback address opens nothing");
    assert_eq!(admitted, 200);
    assert!(text.contains("db_pool_connections"), "{text}");
}

#[tokio::test]
async fn an_operation_stopped_by_the_time_limit_counts_as_timeout() {
    let app = spawn_app_with(|settings| settings.request_timeout_ms = 1).await;
    let name = unique_name("SlowProbe");

    // Hashing a password alone takes longer than a millisecond.
    let response = app
        .graphql(
            &format!("mutation {name} {{ login(input: {{ username: \"admin\", password: \"wrong password here\" }}) {{ token }} }}"),
            json!({}),
        )
        .await;

    assert_eq!(response.code(), "TIMEOUT", "{}", response.body);
    let series = format!(r#"graphql_operations_total{{operation="{name}",code="TIMEOUT"}}"#);
    let text = scrape(&app).await;
    assert_eq!(sample(&text, &series), Some(1.0), "{text}");
}
