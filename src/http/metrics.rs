//! `GET /metrics` in Prometheus text, for loopback peers or `TALENT_METRICS_TOKEN`, and
//! the GraphQL operation metrics recorded by the GraphQL handler.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::service::gauges;

/// Distinct operation names given their own label; later names count as `other`, so a
/// client inventing names cannot grow the scrape without bound.
const MAX_OPERATION_NAMES: usize = 200;
/// Longest operation name given its own label.
const MAX_OPERATION_NAME_LEN: usize = 64;

/// `GET /metrics`: the metrics of this process, the pool's connections and the current
/// programme's goals read now. Refused (403, `FORBIDDEN`) to a TCP peer that is not
/// loopback and does not send `Authorization: Bearer $TALENT_METRICS_TOKEN`.
pub(super) async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !admitted(peer.ip(), &headers, state.metrics_token.as_deref()) {
        let refusal = crate::graphql::refusal(
            "metrics are answered only to loopback or with the metrics token".to_owned(),
            "FORBIDDEN",
        );
        return (StatusCode::FORBIDDEN, Json(refusal)).into_response();
    }
    let db = &state.deps.db;
    let pool = gauges::pool_use(db);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(pool.in_use);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(pool.idle);
    match gauges::goal_figures(db).await {
        Ok(figures) => {
            for figure in figures {
                let labels = [
                    ("programme", figure.programme_id.to_string()),
                    ("goal", figure.goal.to_owned()),
                ];
                metrics::gauge!("talent_goal_achieved", &labels).set(figure.achieved);
                metrics::gauge!("talent_goal_target", &labels).set(figure.target);
            }
        }
        Err(err) => err.log(),
    }
    let handle = crate::telemetry::metrics();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// True for a loopback peer (the TCP peer, never a forwarded address) or the right token.
fn admitted(peer: IpAddr, headers: &HeaderMap, token: Option<&SecretString>) -> bool {
    if peer.to_canonical().is_loopback() {
        return true;
    }
    match (token, crate::auth::bearer_token(headers)) {
        (Some(expected), Some(given)) => same_secret(expected.expose_secret(), given),
        _ => false,
    }
}

/// Compares digests of both sides byte by byte without stopping early, so the time taken
/// tells nothing of the token, its length included.
fn same_secret(expected: &str, given: &str) -> bool {
    let (a, b) = (Sha256::digest(expected), Sha256::digest(given));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Counts one GraphQL operation by name and error code (`none` without errors; one count
/// per distinct code of its errors) and records its latency.
pub(super) fn record_operation(name: &str, codes: &[String], elapsed: Duration) {
    let operation = operation_label(name);
    if codes.is_empty() {
        metrics::counter!("graphql_operations_total", "operation" => operation.clone(), "code" => "none")
            .increment(1);
    }
    let distinct: HashSet<&String> = codes.iter().collect();
    for code in distinct {
        metrics::counter!("graphql_operations_total", "operation" => operation.clone(), "code" => code.clone())
            .increment(1);
    }
    metrics::histogram!("graphql_operation_duration_seconds", "operation" => operation)
        .record(elapsed.as_secs_f64());
}

/// The label of an operation name: `anonymous` for none, `other` for a name that is not
/// a GraphQL name or comes after [`MAX_OPERATION_NAMES`] others.
fn operation_label(name: &str) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    if name.is_empty() {
        return "anonymous".to_owned();
    }
    let well_formed = name.len() <= MAX_OPERATION_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if !well_formed {
        return "other".to_owned();
    }
    let Ok(mut seen) = SEEN.get_or_init(Mutex::default).lock() else {
        return "other".to_owned();
    };
    if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        headers.insert(header::AUTHORIZATION, value);
        headers
    }

    #[test]
    fn loopback_peers_are_admitted_without_a_token() {
        for peer in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(
                admitted(peer.parse().unwrap(), &HeaderMap::new(), None),
                "{peer}"
            );
        }
    }

    #[test]
    fn other_peers_need_the_configured_token() {
        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        let token = SecretString::from("s3cret-metrics-token");
        assert!(admitted(
            peer,
            &bearer("s3cret-metrics-token"),
            Some(&token)
        ));
        assert!(!admitted(
            peer,
            &bearer("s3cret-metrics-tokeN"),
            Some(&token)
        ));
        assert!(!admitted(peer, &bearer("s3cret"), Some(&token)));
        assert!(!admitted(peer, &HeaderMap::new(), Some(&token)));
        assert!(
            !admitted(peer, &bearer("anything"), None),
            "no token configured: loopback only"
        );
    }

    #[test]
    fn operation_labels_stay_bounded_and_well_formed() {
        assert_eq!(operation_label(""), "anonymous");
        assert_eq!(operation_label("Enrol_1"), "Enrol_1");
        assert_eq!(operation_label("1st"), "other");
        assert_eq!(operation_label("a b"), "other");
        assert_eq!(operation_label(&"x".repeat(65)), "other");
    }
}
