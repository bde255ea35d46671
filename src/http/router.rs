//! The routes and the layers around them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::{AppState, MAX_BODY_BYTES, exports, graphql, health, metrics, observe, pages};

/// `Content-Security-Policy` of every response: scripts, styles and connections from
/// this server only, no inline script or style, no frames. `data:` images and fonts are
/// those inside the vendored GraphiQL stylesheet.
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
    font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Every route, with the body limit and coded refusals of the layers, inside the layer
/// that gives each request its id, client address, span and metrics.
pub(super) fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/exports/progress.csv", get(exports::progress))
        .route("/exports/goals.csv", get(exports::goals))
        .route("/exports/stats.csv", get(exports::stats))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(pages::routes())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(coded_refusals))
        // The request id, client address, span and metrics cover every answer.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        // The headers every response carries, pages and API alike: the content security
        // policy, no MIME sniffing, no `Referer` (a verification address holds a name).
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .with_state(state)
}

/// Refusals made by layers (body limit, method router) come without a GraphQL body;
/// clients get the same JSON error shape as every other refusal.
async fn coded_refusals(response: Response) -> Response {
    let message = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        StatusCode::METHOD_NOT_ALLOWED
            if !response.headers().contains_key(header::CONTENT_TYPE) =>
        {
            "this method is not allowed here".to_owned()
        }
        _ => return response,
    };
    let status = response.status();
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut refusal = (
        status,
        Json(crate::graphql::refusal(message, "BAD_USER_INPUT")),
    )
        .into_response();
    if let Some(allow) = allow {
        refusal.headers_mut().insert(header::ALLOW, allow);
    }
    refusal
}

fn header_layer(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}
