//! One mapping from `AppError` to GraphQL errors, and a final pass that gives every error
//! of a response its `extensions.code`.

use async_graphql::{
    Error, ErrorExtensions, Response, ServerError, Value as ConstValue, Variables,
};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::error::AppError;

/// Most errors one response carries; past it the rest are counted in one last error, so
/// no request can make the server say more than a few KB of errors.
pub const MAX_ERRORS: usize = 20;
/// Longest error message sent, in characters (an engine message quotes the client's
/// text, which can be as long as the body).
const MAX_MESSAGE_CHARS: usize = 300;

impl From<AppError> for Error {
    fn from(err: AppError) -> Self {
        coded(Arc::new(err))
    }
}

/// The GraphQL error of `err`: the message a client may read, its code (and field,
/// and `retryAfter` seconds for the retryable codes), and `err` itself as the source,
/// which [`finalize`] logs and the executor inspects for a lost connection.
fn coded(err: Arc<AppError>) -> Error {
    let code = err.code();
    let field = err.field();
    let retry_after = err.retry_after();
    let error = Error {
        message: err.client_message(),
        source: Some(err),
        extensions: None,
    };
    error.extend_with(|_, e| {
        e.set("code", code);
        if let Some(field) = field {
            e.set("field", field);
        }
        if let Some(seconds) = retry_after {
            e.set("retryAfter", seconds);
        }
    })
}

/// The `AppError` behind a response error, when a service raised it.
pub fn app_error(error: &ServerError) -> Option<&AppError> {
    error.source::<AppError>()
}

/// The one pass over a response's errors after execution: errors of a service are
/// logged when their details stay on the server; errors raised by the engine itself
/// (syntax, unknown fields, variable coercion, limits) carry no code and get
/// `BAD_USER_INPUT`, with the field when `suspects` (a scalar that failed to parse inside
/// an input object, which the engine reports by type) or the message names it. Past
/// [`MAX_ERRORS`] the rest are summed up in one error.
pub fn finalize(mut response: Response, suspects: &Suspects) -> Response {
    let total = response.errors.len();
    if total > MAX_ERRORS {
        response.errors.truncate(MAX_ERRORS - 1);
        let left_out = total - response.errors.len();
        let mut summary = refusal(
            format!(
                "{left_out} more errors were left out ({total} in all); fix the ones shown and send the request again"
            ),
            "BAD_USER_INPUT",
        );
        response.errors.append(&mut summary.errors);
    }
    for error in &mut response.errors {
        if let Some(err) = app_error(error) {
            err.log();
            if err.code() == "INTERNAL_SERVER_ERROR" {
                with_request_id(error.extensions.get_or_insert_with(Default::default));
            }
            continue;
        }
        if error.message.chars().count() > MAX_MESSAGE_CHARS {
            let cut: String = error.message.chars().take(MAX_MESSAGE_CHARS).collect();
            error.message = format!("{cut}…");
        }
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            let field =
                argument_name(&error.message).or_else(|| suspects.field_for(&error.message));
            let ext = error.extensions.get_or_insert_with(Default::default);
            ext.set("code", "BAD_USER_INPUT");
            if let Some(field) = field {
                ext.set("field", field);
            }
        }
    }
    response
}

/// The longest `retryAfter` of a response's errors, for the `Retry-After` header.
pub fn retry_after(response: &Response) -> Option<u32> {
    response
        .errors
        .iter()
        .filter_map(|e| app_error(e).and_then(AppError::retry_after))
        .max()
}

/// True when a response's errors include `UNAVAILABLE`.
pub fn unavailable(response: &Response) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| *code == ConstValue::from("UNAVAILABLE"))
    })
}

/// `Invalid value for argument "input.level", …` names the field `level`.
fn argument_name(message: &str) -> Option<String> {
    let rest = message.split_once("argument \"")?.1;
    let path = rest.split_once('"')?.0;
    path.rsplit('.').next().map(str::to_owned)
}

/// Leaves of a request's variables that no `Int` or `Date` input accepts, by their key.
/// async-graphql reports such a value inside an input object by type only (`Failed to
/// parse "Int"`); these name the field. Only implausible values are kept, so a large
/// request costs a walk and a few strings.
#[derive(Debug, Default)]
pub struct Suspects {
    ints: Vec<String>,
    dates: Vec<(String, String)>,
}

impl Suspects {
    /// The suspects of `variables`.
    pub fn of(variables: &Variables) -> Self {
        let mut found = Self::default();
        for (name, value) in variables.iter() {
            found.walk(name.as_str(), value);
        }
        found
    }

    fn walk(&mut self, key: &str, value: &ConstValue) {
        match value {
            ConstValue::Number(n) if n.as_i64().is_none_or(|i| i32::try_from(i).is_err()) => {
                self.ints.push(key.to_owned());
            }
            ConstValue::String(s)
                if (date_shaped(s) || date_key(key))
                    && s.len() <= 64
                    && parse_date(s).is_none() =>
            {
                self.dates.push((key.to_owned(), s.clone()));
            }
            ConstValue::List(items) => items.iter().for_each(|item| self.walk(key, item)),
            ConstValue::Object(fields) => {
                for (name, value) in fields {
                    self.walk(name.as_str(), value);
                }
            }
            _ => {}
        }
    }

    /// The field an engine error is about, when a suspect explains it.
    fn field_for(&self, message: &str) -> Option<String> {
        if message.starts_with("Failed to parse \"Int\"") {
            return self.ints.first().cloned();
        }
        if message.starts_with("Failed to parse \"Date\"") {
            return self
                .dates
                .iter()
                .find(|(_, value)| message.contains(&format!("\"{value}\"")))
                .map(|(key, _)| key.clone());
        }
        None
    }
}

/// The input fields of type `Date` or `DateTime` (`startsOn`, `expiresAt`, `from`, …).
fn date_key(key: &str) -> bool {
    key.ends_with("On") || key.ends_with("At") || matches!(key, "from" | "to" | "since")
}

/// Digits and dashes, as a mistyped `YYYY-MM-DD` would be.
fn date_shaped(s: &str) -> bool {
    (8..=12).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit() || c == '-')
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A response carrying one error with `code`.
pub fn refusal(message: String, code: &'static str) -> Response {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    if code == "INTERNAL_SERVER_ERROR" {
        with_request_id(extensions);
    }
    Response::from_errors(vec![error])
}

/// Adds `requestId` (the id of the request being served, as in its log lines) to the
/// extensions of an internal error, so a client's report leads to the log.
fn with_request_id(extensions: &mut async_graphql::ErrorExtensionValues) {
    if let Some(id) = crate::telemetry::request_id() {
        extensions.set("requestId", id);
    }
}

/// A response carrying the one error `err`, coded like any service error (and logged by
/// [`finalize`] like them), for a failure outside the resolvers.
pub fn refused_by(err: AppError) -> Response {
    let error = coded(Arc::new(err)).into_server_error(async_graphql::Pos::default());
    Response::from_errors(vec![error])
}

/// A data loader's failure, coded like any service error.
pub fn load_failed(err: Arc<AppError>) -> Error {
    coded(err)
}

#[cfg(test)]
mod tests {
    use async_graphql::Variables;
    use serde_json::json;

    use super::{Suspects, argument_name};

    fn suspects(variables: serde_json::Value) -> Suspects {
        Suspects::of(&Variables::from_json(variables))
    }

    #[test]
    fn an_int_past_32_bits_deep_in_an_input_is_named_by_its_key() {
        let found = suspects(json!({ "input": { "name": "P", "targets": [
            { "track": "HOST", "target": 10 },
            { "track": "PROFESSIONAL", "target": 8_589_934_592_i64 },
        ]}}));
        let message = "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 \
                       are accepted. (occurred while parsing \"TargetInput\")";
        assert_eq!(found.field_for(message), Some("target".to_owned()));
    }

    #[test]
    fn an_impossible_date_is_named_by_the_key_holding_that_value() {
        let found =
            suspects(json!({ "input": { "startsOn": "2026-01-01", "endsOn": "2026-02-30" } }));
        let message = "Failed to parse \"Date\": \"2026-02-30\" is not a date YYYY-MM-DD";
        assert_eq!(found.field_for(message), Some("endsOn".to_owned()));
        assert_eq!(found.field_for("Unknown field \"x\""), None);
    }

    #[test]
    fn the_field_is_taken_from_a_coercion_message() {
        assert_eq!(
            argument_name(r#"Invalid value for argument "input.level", expected type "Int""#),
            Some("level".to_owned())
        );
        assert_eq!(argument_name("Unknown field"), None);
    }
}
