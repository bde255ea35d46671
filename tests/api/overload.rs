//! What one client, or a busy day, can make the server do: errors capped per response,
//! slow heads and bodies cut off, connections bounded, one retryable answer when the
//! pool is exhausted, bulk calls taken in turn, an over-limit chunked body refused 413.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::app::{TestApp, spawn_app, spawn_app_with};

/// Bytes of an answer that are enough to say what is wrong with any one request.
const FEW_KB: usize = 8 * 1024;

/// Reads whatever the server sends until it closes the connection or `wait` passes;
/// `None` when it did neither.
async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_field_carrying_one_unknown_directive_twenty_thousand_times_is_answered_in_a_few_kb() {
    let app = spawn_app().await;
    let many = "@nope ".repeat(20_000);
    let skips = "@skip(if: false) ".repeat(1_000);

    for (why, query) in [
        ("unknown directive", format!("{{ __typename {many} }}")),
        ("repeated @skip", format!("{{ __typename {skips} }}")),
    ] {
        let response = app.graphql(&query, json!({})).await;

        let size = response.body.to_string().len();
        let errors = response.body["errors"].as_array().unwrap();
        assert!(size < FEW_KB, "{why}: {size} bytes");
        assert_eq!(errors.len(), 1, "{why}: {}", response.body);
        assert_eq!(response.code(), "BAD_USER_INPUT");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains("directives"), "{why}: {message}");
    }
}

#[tokio::test]
async fn a_document_with_hundreds_of_errors_is_answered_with_twenty_and_the_count() {
    let app = spawn_app().await;
    let fields: String = (0..500).map(|i| format!(" unknown{i}")).collect();
    let long_name = "x".repeat(50_000);

    let many = app.graphql(&format!("{{{fields} }}"), json!({})).await;
    let long = app.graphql(&format!("{{ {long_name} }}"), json!({})).await;

    let errors = many.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 20, "{}", many.body);
    let last = errors[19]["message"].as_str().unwrap();
    assert!(
        last.contains("481 more errors") && last.contains("500 in all"),
        "{last}"
    );
    assert!(many.body.to_string().len() < FEW_KB);
    assert!(
        long.body.to_string().len() < FEW_KB,
        "one long message is cut"
    );
    assert_eq!(long.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_body_arriving_a_byte_at_a_time_is_answered_408_within_the_time_limit() {
    let app = spawn_app_with(|settings| settings.request_timeout_ms = 1_000).await;
    let body = json!({ "query": "{ __typename }" }).to_string();
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();

    let trickle = async {
        for byte in body.as_bytes() {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(1_500), trickle).await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the connection is answered and closed");

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"TIMEOUT\""), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_request_head_that_never_ends_has_its_connection_closed() {
    let app = spawn_app_with(|settings| settings.header_timeout_ms = 500).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();

    let closed = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(closed.is_some(), "the connection is still open after 5 s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_past_the_limit_wait_until_one_closes() {
    let app = spawn_app_with(|settings| settings.max_connections = 2).await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let stream = TcpStream::connect(host(&app)).await.unwrap();
        idle.push(stream);
    }
    // Give the server the time to take both in.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fresh = || reqwest::Client::new();

    let while_full = tokio::time::timeout(
        Duration::from_millis(700),
        fresh().get(format!("{}/healthz", app.address)).send(),
    )
    .await;
    drop(idle.pop());
    let after_one_closed = tokio::time::timeout(
        Duration::from_secs(5),
        fresh().get(format!("{}/healthz", app.address)).send(),
    )
    .await;

    assert!(while_full.is_err(), "a third connection was served at once");
    let answered = after_one_closed
        .expect("answered once a slot is free")
        .unwrap();
    assert_eq!(answered.status(), 200);
}

/// Asserts the one answer of an exhausted pool: 503, `Retry-After`, `UNAVAILABLE`.
async fn assert_unavailable(app: &TestApp, token: Option<&str>, query: &str, why: &str) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 503, "{why}: {body}");
    assert_eq!(retry_after.as_deref(), Some("1"), "{why}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{why}: {body}"
    );
}

#[tokio::test]
async fn an_exhausted_pool_gets_one_retryable_answer_wherever_the_wait_runs_out() {
    let app = spawn_app_with(|settings| {
        settings.db_max_connections = 1;
        settings.db_acquire_timeout_ms = 300;
    })
    .await;
    let admin = app.admin_token().await;

    // The test holds the pool's only connection.
    let held = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    // The wait runs out while the session is looked up…
    assert_unavailable(
        &app,
        Some(&admin),
        "{ institutions { totalCount } }",
        "session",
    )
    .await;
    // …and inside a resolver, for a caller without a session.
    let verify =
        "{ verifyCertificate(number: \"H2025-7KQ2M-9XDPA\", holderName: \"张三\") { valid } }";
    assert_unavailable(&app, None, verify, "resolver").await;
    held.rollback().await.unwrap();

    let after = app
        .graphql_as(Some(&admin), "{ institutions { totalCount } }", json!({}))
        .await;
    assert_eq!(after.status, 200, "{}", after.body);
    after.data();
}

#[tokio::test]
async fn an_over_limit_chunked_body_is_refused_with_413() {
    let app = spawn_app().await;
    let limit = talent_registry::http::MAX_BODY_BYTES;
    let chunk = vec![b' '; 64 * 1024];
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();

    // The server may answer and close before the whole body is sent.
    for _ in 0..(limit / chunk.len()) + 2 {
        let size = format!("{:x}\r\n", chunk.len());
        if stream.write_all(size.as_bytes()).await.is_err()
            || stream.write_all(&chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("answered");

    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    assert!(answer.contains("\"BAD_USER_INPUT\""), "{answer}");
}

#[tokio::test]
async fn bulk_calls_are_taken_one_at_a_time() {
    let app = spawn_app().await;
    let padding = "x".repeat(100 * 1024);
    let body =
        json!({ "query": "{ __typename }", "variables": { "padding": padding } }).to_string();
    // The first bulk call stalls halfway through its body and holds the bulk turn.
    let mut first = TcpStream::connect(host(&app)).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    first.write_all(head.as_bytes()).await.unwrap();
    let (half, rest) = body.as_bytes().split_at(body.len() / 2);
    first.write_all(half).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let second = tokio::spawn({
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        let body = body.clone();
        async move {
            let response = client
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (Instant::now(), response.status().as_u16())
        }
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    let second_waited = !second.is_finished();
    first.write_all(rest).await.unwrap();
    let first_answer = read_until_closed(&mut first, Duration::from_secs(10)).await;
    let first_done = Instant::now();
    let (second_done, second_status) = second.await.unwrap();

    assert!(second_waited, "the second bulk call ran beside the first");
    assert!(first_answer.unwrap().starts_with("HTTP/1.1 200"));
    assert_eq!(second_status, 200);
    assert!(second_done >= first_done - Duration::from_millis(50));
}
