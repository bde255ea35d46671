//! One mapping from `AppError` to GraphQL errors, and a final pass that gives every error
//! of a response its `extensions.code`.

use async_graphql::{Error, ErrorExtensions, Response, ServerError};

use crate::error::AppError;

impl From<AppError> for Error {
    fn from(err: AppError) -> Self {
        if err.is_internal() {
            tracing::error!(error = %err, "request failed");
            return Error::new("internal error")
                .extend_with(|_, e| e.set("code", "INTERNAL_SERVER_ERROR"));
        }
        let code = err.code();
        let field = err.field();
        Error::new(err.to_string()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(field) = field {
                e.set("field", field);
            }
        })
    }
}

/// Errors raised by the engine itself (syntax, unknown fields, variable coercion, limits)
/// carry no code: they are the client's input errors.
pub fn finalize(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            let field = argument_name(&error.message);
            let ext = error.extensions.get_or_insert_with(Default::default);
            ext.set("code", "BAD_USER_INPUT");
            if let Some(field) = field {
                ext.set("field", field);
            }
        }
    }
    response
}

/// `Invalid value for argument "input.level", …` names the field `level`.
fn argument_name(message: &str) -> Option<String> {
    let rest = message.split_once("argument \"")?.1;
    let path = rest.split_once('"')?.0;
    path.rsplit('.').next().map(str::to_owned)
}

/// A response carrying one error with `code`.
pub fn refusal(message: String, code: &'static str) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![error])
}

/// A data loader's failure: always a storage fault, so reported as internal.
pub fn load_failed(err: std::sync::Arc<AppError>) -> Error {
    tracing::error!(error = %err, "batched load failed");
    Error::new("internal error").extend_with(|_, e| e.set("code", "INTERNAL_SERVER_ERROR"))
}

#[cfg(test)]
mod tests {
    use super::argument_name;

    #[test]
    fn the_field_is_taken_from_a_coercion_message() {
        assert_eq!(
            argument_name(r#"Invalid value for argument "input.level", expected type "Int""#),
            Some("level".to_owned())
        );
        assert_eq!(argument_name("Unknown field"), None);
    }
}
