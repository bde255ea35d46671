//! A PostgreSQL outage under the app: coded errors and 503 from `/readyz` while it lasts,
//! recovery by itself once the database is back.

use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde_json::json;

use crate::health::get;
use crate::support::app::spawn_app_with;
use crate::support::gql::Gql;
use crate::support::proxy::Proxy;

const READ: &str = "{ institutions { totalCount } }";

/// An answer while the database is unreachable: the one retryable answer (503,
/// `UNAVAILABLE`), never a hang, a panic or a bare 5xx page.
fn refused_while_down(answer: &Gql) {
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.code(), "UNAVAILABLE", "{}", answer.body);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: a SQLite file cannot be cut off (CI runs it with TEST_DATABASE_URL)"]
async fn while_postgresql_is_unreachable_requests_get_coded_errors_and_service_recovers_alone() {
    let admin_url = crate::support::app::require_postgres();
    let authority = admin_url
        .split_once('@')
        .unwrap()
        .1
        .split('/')
        .next()
        .unwrap();
    let upstream = tokio::net::lookup_host(authority)
        .await
        .unwrap()
        .next()
        .unwrap();
    let proxy = Proxy::start(upstream).await;
    let app = spawn_app_with(|settings| {
        let url = settings
            .database_url
            .expose_secret()
            .replace(authority, &proxy.address.to_string());
        settings.database_url = url.into();
        settings.db_acquire_timeout_ms = 1_000;
    })
    .await;
    let admin = app.admin_token().await;
    app.graphql_as(Some(&admin), READ, json!({})).await.data();

    proxy.cut();
    let started = Instant::now();
    for _ in 0..3 {
        refused_while_down(&app.graphql_as(Some(&admin), READ, json!({})).await);
        let write = app
            .graphql_as(
                Some(&admin),
                crate::support::gql::CREATE_PROGRAMME,
                json!({ "input": { "name": "Outage", "startsOn": "2026-01-01", "endsOn": "2026-12-31" } }),
            )
            .await;
        refused_while_down(&write);
    }
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status(), 503);
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status(), 200);
    // Seven answers, each within about one acquire timeout (1 s), not a hang.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "errors took {:?}",
        started.elapsed()
    );

    proxy.restore();
    let restored = Instant::now();
    loop {
        let up = app.graphql_as(Some(&admin), READ, json!({})).await;
        if up.body.get("errors").is_none() {
            break;
        }
        assert!(
            restored.elapsed() < Duration::from_secs(15),
            "not recovered 15 s after the database came back: {}",
            up.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
#[ignore = "needs PostgreSQL: only a server ends its clients' connections (CI runs it with TEST_DATABASE_URL)"]
async fn after_postgresql_ends_every_connection_the_next_requests_succeed() {
    crate::support::app::require_postgres();
    let app = spawn_app_with(|settings| settings.db_max_connections = 4).await;
    let admin = app.admin_token().await;
    // Open several pooled connections, as a busy server has.
    let (a, b, c, d) = tokio::join!(
        app.graphql_as(Some(&admin), READ, json!({})),
        app.graphql_as(Some(&admin), READ, json!({})),
        app.graphql_as(Some(&admin), READ, json!({})),
        app.graphql_as(Some(&admin), READ, json!({})),
    );
    for answer in [a, b, c, d] {
        answer.data();
    }
    let ended = crate::support::app::end_other_connections(&app).await;
    assert!(ended > 0, "no pooled connection was ended");

    // A read and a write, each on a pool of dead connections: run again on a fresh one.
    let read = app.graphql_as(Some(&admin), READ, json!({})).await;
    crate::support::app::end_other_connections(&app).await;
    let write = app
        .graphql_as(
            Some(&admin),
            crate::support::gql::CREATE_PROGRAMME,
            json!({ "input": { "name": "After failover", "startsOn": "2026-01-01", "endsOn": "2026-12-31" } }),
        )
        .await;

    assert_eq!(read.status, 200, "{}", read.body);
    read.data();
    assert_eq!(write.status, 200, "{}", write.body);
    write.data();
    let programmes = app.count("programme WHERE name = 'After failover'").await;
    assert_eq!(programmes, 1, "the write ran once");
}
