//! `/healthz` (the process is up) and `/readyz` (the database answers).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::service::health;

/// Longest wait for the database's answer to the readiness check.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up; says nothing of the database.
pub(super) async fn healthz() -> &'static str {
    "ok"
}

/// The database answers `SELECT 1` within [`READY_TIMEOUT`]: 200 `ready`, else 503.
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, health::ping(&state.deps.db)).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            not_ready()
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            not_ready()
        }
    }
}

fn not_ready() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({
            "status": "unavailable",
            "reason": "the database does not answer",
        })),
    )
        .into_response()
}
