//! What wraps every request: its id (`x-request-id`, echoed or made), its client address
//! (behind trusted proxies), the tracing span its log lines carry, and its metrics.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;
use tracing::Instrument;

use super::AppState;

/// Header of the request id, read and answered.
const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest request id accepted from a client; a longer one is replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The client of a request: the TCP peer, or the address its trusted proxies forwarded.
/// The rate limits and the audit trail key on it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClientAddress(pub(super) IpAddr);

/// Gives the request its id, client address and span, and counts it by route and status.
pub(super) async fn observe(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request_id(request.headers());
    let client = state.proxies.client_of(peer.ip(), request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = request.method().as_str().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let work = crate::telemetry::with_request_id(id.clone(), next.run(request));
    let mut response = work.instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    span.in_scope(|| {
        tracing::debug!(status, elapsed_ms = elapsed.as_millis(), "request finished");
    });
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The client's `x-request-id` when it is 1 to [`MAX_REQUEST_ID_LEN`] printable ASCII
/// characters (no spaces), else a new UUID v7.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| {
            (1..=MAX_REQUEST_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_id(raw: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_bytes(raw).unwrap());
        headers
    }

    #[test]
    fn a_printable_client_id_is_kept() {
        assert_eq!(request_id(&with_id(b"abc-123_X.y")), "abc-123_X.y");
    }

    #[test]
    fn a_missing_or_unfit_client_id_is_replaced_by_a_uuid_v7() {
        let long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        for headers in [
            HeaderMap::new(),
            with_id(b"has space"),
            with_id(long.as_bytes()),
            with_id("中文".as_bytes()),
            with_id(b""),
        ] {
            let id = request_id(&headers);
            let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 7, "{headers:?}");
        }
    }
}
