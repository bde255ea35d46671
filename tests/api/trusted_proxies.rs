//! `TALENT_TRUSTED_PROXIES`: the client address comes from `X-Forwarded-For` only when
//! the TCP peer is a trusted proxy; rate limits and the audit trail use it.

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app_with};
use crate::support::reads;

/// POSTs the GraphQL request `body` with `X-Forwarded-For: forwarded`; the JSON answer.
async fn post_forwarded(app: &TestApp, forwarded: &str, body: Value) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", forwarded)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A `verifyCertificate` call forwarded for `client`; the first error code, if any.
async fn verify_from(app: &TestApp, client: &str) -> Option<String> {
    let request = json!({
        "query": reads::VERIFY,
        "variables": { "number": "H2025-AAAAA-BBBBB", "holderName": "张三" },
    });
    let body = post_forwarded(app, client, request).await;
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

fn trusting_loopback(limit: u32) -> impl FnOnce(&mut talent_registry::config::Settings) {
    move |settings| {
        settings.verify_per_minute = limit;
        settings.trusted_proxies =
            talent_registry::http::TrustedProxies::parse("127.0.0.1/32, ::1").unwrap();
    }
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(|settings| settings.verify_per_minute = 2).await;

    let mut codes = Vec::new();
    for client in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        codes.push(verify_from(&app, client).await);
    }

    assert_ne!(codes[0].as_deref(), Some("RATE_LIMITED"), "{codes:?}");
    assert_ne!(codes[1].as_deref(), Some("RATE_LIMITED"), "{codes:?}");
    assert_eq!(
        codes[2].as_deref(),
        Some("RATE_LIMITED"),
        "every call came from 127.0.0.1, whatever it claimed"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_app_with(trusting_loopback(2)).await;

    let first = [
        verify_from(&app, "198.51.100.1").await,
        verify_from(&app, "198.51.100.1").await,
    ];
    let over = verify_from(&app, "198.51.100.1").await;
    let other = verify_from(&app, "203.0.113.9, 127.0.0.1").await;

    assert!(
        first.iter().all(|c| c.as_deref() != Some("RATE_LIMITED")),
        "{first:?}"
    );
    assert_eq!(over.as_deref(), Some("RATE_LIMITED"));
    assert_ne!(
        other.as_deref(),
        Some("RATE_LIMITED"),
        "another client behind the same proxy is not held up"
    );
}

#[tokio::test]
async fn the_audit_trail_records_the_forwarded_client() {
    let app = spawn_app_with(trusting_loopback(30)).await;
    let login = json!({
        "query": "mutation($input: LoginInput!) { login(input: $input) { token } }",
        "variables": { "input": {
            "username": "admin",
            "password": crate::support::app::ADMIN_PASSWORD,
        } },
    });
    let response = post_forwarded(&app, "203.0.113.77", login).await;
    let token = response["data"]["login"]["token"].as_str().unwrap();

    let entries = crate::audit::entries(&app, token, json!({})).await;

    let login = entries
        .iter()
        .find(|e| e["action"] == "login")
        .unwrap_or_else(|| panic!("no login recorded: {entries:?}"));
    assert_eq!(login["client"], "203.0.113.77");
}
