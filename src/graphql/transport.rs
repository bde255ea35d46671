//! GraphQL over HTTP, framework-free: which request bodies are read, which media type
//! answers, and the status and body of each answer (the GraphQL-over-HTTP spec).

use async_graphql::parser::types::{OperationDefinition, OperationType, Selection};
use async_graphql::{ParseRequestError, Request, Response, Value};

/// The media type of an answer, chosen from the client's `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: request errors are 400 and carry no `data`.
    GraphQLResponse,
    /// `application/json`, for clients that know only that (and the default): 200 for
    /// every well-formed request, errors or not.
    Json,
}

impl Media {
    /// The acceptable type of highest quality, the first listed on a tie; `Json` when
    /// `Accept` is missing or names nothing this server writes.
    pub fn negotiate(accept: Option<&str>) -> Self {
        let mut best: Option<(Self, f32)> = None;
        for range in accept.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let media = match parts.next().map(|m| m.trim().to_ascii_lowercase()) {
                Some(m) if m == "application/graphql-response+json" => Self::GraphQLResponse,
                Some(m) if m == "application/json" || m == "application/*" || m == "*/*" => {
                    Self::Json
                }
                _ => continue,
            };
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((media, quality));
            }
        }
        best.map_or(Self::Json, |(media, _)| media)
    }

    /// The `Content-Type` of the answer.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// True for the request bodies read on POST: `application/json` and `multipart/form-data`.
/// Anything else (notably `text/plain`, which browsers send cross-site without a
/// preflight) is refused before it is read.
pub fn readable_content_type(content_type: Option<&str>) -> bool {
    let Some(essence) = content_type.and_then(|ct| ct.split(';').next()) else {
        return false;
    };
    let essence = essence.trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("multipart/form-data")
}

/// What to tell a client whose body could not be read as one GraphQL request.
pub fn unreadable(error: &ParseRequestError) -> (u16, String) {
    match error {
        ParseRequestError::UnsupportedBatch => (
            400,
            "batched requests are not supported: send one operation per request".to_owned(),
        ),
        ParseRequestError::PayloadTooLarge => (413, "the request body is too large".to_owned()),
        other => (400, format!("unreadable request: {other}")),
    }
}

/// True when the operation `request` would run is a mutation (refused over GET). A
/// document that does not parse, or names no single operation, is left to the engine.
pub fn is_mutation(request: &mut Request) -> bool {
    operation(request).is_some_and(|op| op.ty == OperationType::Mutation)
}

/// True when the operation `request` would run selects only introspection fields
/// (`__schema`, `__type`, `__typename`) at its root.
pub fn is_introspection_only(request: &mut Request) -> bool {
    let Some(operation) = operation(request) else {
        return false;
    };
    let items = &operation.selection_set.node.items;
    !items.is_empty()
        && items.iter().all(|item| match &item.node {
            Selection::Field(field) => field.node.name.node.starts_with("__"),
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => false,
        })
}

/// True when the operation `request` would run is a mutation whose one root selection
/// is the field `name` (under any alias), and the request carries no files.
pub fn is_lone_mutation(request: &mut Request, name: &str) -> bool {
    if !request.uploads.is_empty() {
        return false;
    }
    operation(request).is_some_and(|op| {
        op.ty == OperationType::Mutation
            && matches!(
                op.selection_set.node.items.as_slice(),
                [item] if matches!(&item.node, Selection::Field(field) if field.node.name.node == name)
            )
    })
}

/// The operation `request` would run: the named one, else the only one. `None` when the
/// document does not parse or the choice is ambiguous (the engine reports those).
fn operation(request: &mut Request) -> Option<&OperationDefinition> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    let mut candidates = document
        .operations
        .iter()
        .filter(|(op_name, _)| name.is_none() || op_name.map(|n| n.as_str()) == name.as_deref());
    let (_, first) = candidates.next()?;
    candidates.next().is_none().then_some(&first.node)
}

/// The name of the operation `request` would run (for metrics); empty for an anonymous
/// operation or a document that does not parse.
pub fn operation_name(request: &mut Request) -> String {
    if let Some(name) = &request.operation_name {
        return name.clone();
    }
    let Ok(document) = request.parsed_query() else {
        return String::new();
    };
    let mut names = document.operations.iter().map(|(name, _)| name);
    match (names.next(), names.next()) {
        (Some(Some(name)), None) => name.to_string(),
        _ => String::new(),
    }
}

/// The `extensions.code` of each error of `response`, in order.
pub fn error_codes(response: &Response) -> Vec<String> {
    response
        .errors
        .iter()
        .map(
            |error| match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
                Some(Value::String(code)) => code.clone(),
                _ => "UNCODED".to_owned(),
            },
        )
        .collect()
}

/// An HTTP answer: status, `Content-Type`, `Retry-After` and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Value of the `Content-Type` header.
    pub content_type: &'static str,
    /// Seconds of the `Retry-After` header, for a retryable refusal.
    pub retry_after: Option<u32>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The answer to an executed request. `UNAVAILABLE` anywhere in it is a 503 with
/// `Retry-After`, the same answer as when the wait for the database ran out before
/// execution. With `application/graphql-response+json`, a request error (the document
/// did not parse or validate, or variables did not coerce) is 400 without `data`;
/// everything else is 200.
pub fn executed(executed: crate::graphql::Executed, media: Media) -> Answer {
    let response = &executed.response;
    let mut answer = if executed.unavailable {
        answer(503, response, media, true)
    } else if media == Media::GraphQLResponse && is_request_error(response) {
        answer(400, response, media, false)
    } else {
        answer(200, response, media, true)
    };
    answer.retry_after = executed.retry_after;
    answer
}

/// The answer to a request refused before it ran: never any `data`.
pub fn refused(status: u16, response: &Response, media: Media) -> Answer {
    answer(status, response, media, false)
}

/// The answer to a request cut off by the time limit: execution had begun, so it is a
/// 200 with `data: null`, as for any field error that nulls the whole result.
pub fn timed_out(response: &Response, media: Media) -> Answer {
    answer(200, response, media, true)
}

/// Errors raised before execution carry no path and leave no data.
fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

fn answer(status: u16, response: &Response, media: Media, with_data: bool) -> Answer {
    // Serialized straight from the response: a bulk call's answer is large, and a
    // `serde_json::Value` copy of it would double the memory it takes. Only a refusal,
    // which is small, is rebuilt without `data`.
    let body = if with_data {
        let mut body = Vec::with_capacity(128);
        super::json::write_response(&mut body, response).map(|()| body)
    } else {
        serde_json::to_value(response).and_then(|mut json| {
            if let Some(object) = json.as_object_mut() {
                object.remove("data");
            }
            serde_json::to_vec(&json)
        })
    };
    let body = body.unwrap_or_else(|err| {
        tracing::error!(error = %err, "response serialization failed");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#
            .to_vec()
    });
    Answer {
        status,
        content_type: media.content_type(),
        retry_after: None,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accepted_type_of_highest_quality_wins_and_json_is_the_default() {
        let cases = [
            (None, Media::Json),
            (Some("*/*"), Media::Json),
            (Some("application/json"), Media::Json),
            (
                Some("application/graphql-response+json"),
                Media::GraphQLResponse,
            ),
            (
                Some("application/graphql-response+json, application/json;q=0.9"),
                Media::GraphQLResponse,
            ),
            (
                Some("application/graphql-response+json;q=0.5, application/json"),
                Media::Json,
            ),
            (Some("text/html"), Media::Json),
            (
                Some("application/graphql-response+json;q=0, */*"),
                Media::Json,
            ),
        ];
        for (accept, expected) in cases {
            assert_eq!(Media::negotiate(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn only_json_and_multipart_bodies_are_read() {
        assert!(readable_content_type(Some("application/json")));
        assert!(readable_content_type(Some(
            "Application/JSON; charset=utf-8"
        )));
        assert!(readable_content_type(Some(
            "multipart/form-data; boundary=x"
        )));
        assert!(!readable_content_type(Some("text/plain")));
        assert!(!readable_content_type(Some(
            "application/x-www-form-urlencoded"
        )));
        assert!(!readable_content_type(None));
    }

    #[test]
    fn a_mutation_is_recognised_by_the_operation_that_would_run() {
        let mut mutation = Request::new("mutation { logout }");
        assert!(is_mutation(&mut mutation));
        let mut query =
            Request::new("query A { me { id } } mutation B { logout }").operation_name("A");
        assert!(!is_mutation(&mut query));
        let mut unparsable = Request::new("mutation {");
        assert!(!is_mutation(&mut unparsable));
    }

    #[test]
    fn only_an_operation_of_introspection_fields_is_introspection_only() {
        let mut introspection = Request::new("{ __schema { queryType { name } } __typename }");
        assert!(is_introspection_only(&mut introspection));
        let mut mixed = Request::new("{ __schema { queryType { name } } me { id } }");
        assert!(!is_introspection_only(&mut mixed));
        let mut spread = Request::new("{ ...F } fragment F on Query { me { id } }");
        assert!(!is_introspection_only(&mut spread));
    }
}
