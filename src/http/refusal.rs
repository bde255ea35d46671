//! How a route outside GraphQL refuses: the status of the error's code and a one-line
//! `CODE: message` body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// A refusal of a plain-text route (the exports), logged when its details stay on the
/// server.
pub(super) struct Refusal(AppError);

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        let status =
            StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = format!("{}: {}", err.code(), err.client_message());
        if status.is_server_error()
            && let Some(id) = crate::telemetry::request_id()
        {
            body.push_str(&format!(" (request id {id})"));
        }
        body.push('\n');
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = err.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
