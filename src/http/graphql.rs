//! `GET` and `POST /graphql`: content negotiation, the body's limit and deadline, turns
//! of bulk work, the caller, and GraphQL-over-HTTP refusals.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql_axum::{GraphQLRequest, rejection::GraphQLRejection};
use axum::extract::{Extension, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::observe::ClientAddress;
use super::{AppState, MAX_BODY_BYTES};
use crate::error::AppError;
use crate::graphql::transport::{self, Answer, Media};

/// A body larger than this (or of unknown length) is bulk work, admitted
/// `TALENT_BULK_CONCURRENCY` at a time. Every single-row operation is far smaller.
const LARGE_BODY_BYTES: u64 = 64 * 1024;
/// `Retry-After` of a bulk call that waited the whole request time limit for its turn.
const BULK_RETRY_AFTER_SECS: u32 = 5;

/// `GET /graphql`: GraphiQL for a browser when there is no `query` parameter, else a query.
/// A mutation is refused (405): a GET must change nothing.
pub(super) async fn get(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    if !has_query_parameter(request.uri().query()) {
        return super::pages::graphiql();
    }
    let media = negotiate(&headers);
    let mut request = match GraphQLRequest::<GraphQLRejection>::from_request(request, &state).await
    {
        Ok(request) => request.into_inner(),
        Err(rejection) => return unreadable(&rejection, media),
    };
    if transport::is_mutation(&mut request) {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are accepted only over POST".to_owned(),
            media,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let deadline = Instant::now() + state.request_timeout;
    run(&state, client, &headers, request, media, deadline).await
}

/// `POST /graphql`: one operation as `application/json` (or `multipart/form-data`).
pub(super) async fn post(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let media = negotiate(&headers);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if !transport::readable_content_type(content_type) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json".to_owned(),
            media,
        );
    }
    let deadline = Instant::now() + state.request_timeout;
    // A large body is bulk work (a cohort, a CSV file): it waits for its turn before it
    // is read, so concurrent bulk calls cannot hold more than a few in memory. It waits
    // at most half the time limit, so that a call that gets its turn has the other half
    // to run instead of being cut off by the limit.
    let _turn = if is_large(&headers) {
        let wait_until = Instant::now() + state.request_timeout / 2;
        match bulk_turn(&state.bulk, wait_until).await {
            Ok(turn) => Some(turn),
            Err(err) => return refused_for(&err, media),
        }
    } else {
        None
    };
    let over_limit = Arc::new(AtomicBool::new(false));
    let request = noting_length_limit(request, &over_limit);
    let read = GraphQLRequest::<GraphQLRejection>::from_request(request, &state);
    match tokio::time::timeout_at(deadline, read).await {
        Ok(Ok(request)) => {
            let request = request.into_inner();
            run(&state, client, &headers, request, media, deadline).await
        }
        Ok(Err(_)) if over_limit.load(Ordering::Relaxed) => refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
            media,
        ),
        Ok(Err(rejection)) => unreadable(&rejection, media),
        Err(_) => {
            let limit = state.request_timeout.as_millis();
            tracing::warn!(timeout_ms = limit, "request body too slow");
            let response = crate::graphql::refusal(
                format!("the request body did not arrive within {limit} ms"),
                "TIMEOUT",
            );
            let mut answer = to_response(transport::refused(408, &response, media));
            answer
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            answer
        }
    }
}

/// Resolves the caller and executes, by the request's deadline.
async fn run(
    state: &AppState,
    client: IpAddr,
    headers: &HeaderMap,
    mut request: async_graphql::Request,
    media: Media,
    deadline: Instant,
) -> Response {
    if request.query.trim().is_empty() {
        // Not a well-formed GraphQL-over-HTTP request, so 400 whatever the media type.
        return refuse(
            StatusCode::BAD_REQUEST,
            "the request has no query".to_owned(),
            media,
        );
    }
    let started = Instant::now();
    state.api.parse(&mut request);
    let operation = transport::operation_name(&mut request);
    let work = async {
        let session = super::caller::of_graphql(state, headers, &mut request).await?;
        Ok::<_, AppError>(crate::graphql::execute(&state.api, request, session, client).await)
    };
    let outcome = tokio::time::timeout_at(deadline, work).await;
    let codes = match &outcome {
        Ok(Ok(executed)) => transport::error_codes(&executed.response),
        Ok(Err(err)) => vec![err.code().to_owned()],
        Err(_) => vec!["TIMEOUT".to_owned()],
    };
    super::metrics::record_operation(&operation, &codes, started.elapsed());
    match outcome {
        Ok(Ok(executed)) => to_response(transport::executed(executed, media)),
        Ok(Err(err)) => refused_for(&err, media),
        Err(_) => {
            let limit = state.request_timeout.as_millis();
            tracing::warn!(timeout_ms = limit, "request timed out");
            let response = crate::graphql::refusal(
                format!("the request took longer than {limit} ms and was stopped"),
                "TIMEOUT",
            );
            to_response(transport::timed_out(&response, media))
        }
    }
}

/// A turn to run bulk work, waited for until `deadline`; past it `RATE_LIMITED` with
/// `Retry-After`.
async fn bulk_turn(
    turns: &Arc<Semaphore>,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, AppError> {
    match tokio::time::timeout_at(deadline, Arc::clone(turns).acquire_owned()).await {
        Ok(Ok(turn)) => Ok(turn),
        _ => Err(crate::service::rate_limit::refused(
            "bulk",
            AppError::RateLimited {
                retry_after: BULK_RETRY_AFTER_SECS,
            },
        )),
    }
}

/// True for a request body over [`LARGE_BODY_BYTES`] or without a declared length.
fn is_large(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_none_or(|length| length > LARGE_BODY_BYTES)
}

/// The request with its body watched for the body limit: a chunked body declares no
/// length to be refused by, so the limit is met while reading, and the GraphQL extractor
/// reports every read error as text. The flag says which it was.
fn noting_length_limit(request: Request, over_limit: &Arc<AtomicBool>) -> Request {
    let over_limit = Arc::clone(over_limit);
    request.map(|body| {
        axum::body::Body::new(body.map_err(move |err: axum::Error| {
            if std::error::Error::source(&err)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>())
            {
                over_limit.store(true, Ordering::Relaxed);
            }
            err
        }))
    })
}

/// True when the query string has a `query` parameter.
fn has_query_parameter(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some("query"))
    })
}

fn negotiate(headers: &HeaderMap) -> Media {
    Media::negotiate(
        headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok()),
    )
}

/// A body that is not one readable GraphQL request: unparsable JSON, a batch, too large.
fn unreadable(rejection: &GraphQLRejection, media: Media) -> Response {
    let (status, message) = transport::unreadable(&rejection.0);
    refuse(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        message,
        media,
    )
}

/// A request refused before execution by a service error: its status, code and
/// `Retry-After`; logged when its details stay on the server.
fn refused_for(err: &AppError, media: Media) -> Response {
    err.log();
    let mut answer = transport::refused(
        err.http_status(),
        &crate::graphql::refusal(err.client_message(), err.code()),
        media,
    );
    answer.retry_after = err.retry_after();
    to_response(answer)
}

/// A refusal before execution, with its code: `INTERNAL_SERVER_ERROR` for a 5xx, else
/// `BAD_USER_INPUT`.
fn refuse(status: StatusCode, message: String, media: Media) -> Response {
    let code = if status.is_server_error() {
        "INTERNAL_SERVER_ERROR"
    } else {
        "BAD_USER_INPUT"
    };
    to_response(transport::refused(
        status.as_u16(),
        &crate::graphql::refusal(message, code),
        media,
    ))
}

/// The HTTP response of a transport answer.
fn to_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response();
    if let Some(seconds) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_bulk_call_that_waits_past_its_deadline_is_rate_limited_with_retry_after() {
        let turns = Arc::new(Semaphore::new(1));
        let _running = bulk_turn(&turns, Instant::now() + Duration::from_secs(1))
            .await
            .unwrap();

        let waiting = bulk_turn(&turns, Instant::now() + Duration::from_millis(50)).await;

        let err = waiting.unwrap_err();
        assert_eq!(err.code(), "RATE_LIMITED");
        assert_eq!(err.retry_after(), Some(BULK_RETRY_AFTER_SECS));
    }

    #[test]
    fn a_body_of_unknown_or_large_length_is_bulk_work() {
        let mut headers = HeaderMap::new();
        assert!(is_large(&headers), "no Content-Length");
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(2_000));
        assert!(!is_large(&headers));
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(LARGE_BODY_BYTES + 1),
        );
        assert!(is_large(&headers));
    }
}
