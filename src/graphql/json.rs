//! The JSON text of a response: serde_json's, value by value, except that a raw value
//! (JSON text a resolver wrote itself under [`RAW_VALUE_TOKEN`], as `stats` writes its
//! rows) is copied as it is. async-graphql's own serializer parses such text again to
//! check it before copying it: for a breakdown of 360 rows, more work than writing them.
//!
//! Only the server's own code makes raw values: no output type of the schema is an
//! object a client's input fills (its scalars are strings), and a response key is a
//! GraphQL name, which cannot spell the token.

use async_graphql::{Response, Value};
use async_graphql_value::RAW_VALUE_TOKEN;

/// Writes `response` as serde_json would (`data`, then `extensions` and `errors` when
/// there are any), raw values as they are.
pub fn write_response(out: &mut Vec<u8>, response: &Response) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"data\":");
    write_value(out, &response.data)?;
    if !response.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":");
        serde_json::to_writer(&mut *out, &response.extensions)?;
    }
    if !response.errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        serde_json::to_writer(&mut *out, &response.errors)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_value(out: &mut Vec<u8>, value: &Value) -> serde_json::Result<()> {
    match value {
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(fields) => {
            if fields.len() == 1
                && let Some(Value::String(raw)) = fields.get(RAW_VALUE_TOKEN)
            {
                out.extend_from_slice(raw.as_bytes());
                return Ok(());
            }
            out.push(b'{');
            for (i, (key, field)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key.as_str())?;
                out.push(b':');
                write_value(out, field)?;
            }
            out.push(b'}');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::indexmap::IndexMap;
    use async_graphql::{ErrorExtensionValues, Name, Pos, ServerError};

    use super::*;

    fn object(fields: Vec<(&str, Value)>) -> Value {
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (Name::new(k), v))
                .collect::<IndexMap<_, _>>(),
        )
    }

    fn written(response: &Response) -> String {
        let mut out = Vec::new();
        write_response(&mut out, response).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_response_without_raw_values_is_written_as_serde_json_writes_it() {
        let mut error = ServerError::new("bad \"id\"\n", Some(Pos { line: 1, column: 2 }));
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", "NOT_FOUND");
        error.extensions = Some(extensions);
        error.path = vec![async_graphql::PathSegment::Field("trainee".into())];
        let data = object(vec![
            ("text", Value::String("深圳 \"quoted\" \\ \u{1}\t".into())),
            ("int", Value::from(-42)),
            ("float", Value::from(0.182_333_333_333_333_32)),
            ("yes", Value::Boolean(true)),
            ("none", Value::Null),
            ("track", Value::Enum(Name::new("HOST"))),
            (
                "list",
                Value::List(vec![
                    object(vec![("a", Value::from(1))]),
                    Value::List(vec![]),
                ]),
            ),
            ("empty", object(vec![])),
        ]);
        let mut response = Response::new(data).extension("requestId", Value::from("r-1"));
        response.errors = vec![error];

        assert_eq!(
            written(&response),
            serde_json::to_string(&response).unwrap()
        );
        let plain = Response::new(object(vec![("me", Value::Null)]));
        assert_eq!(written(&plain), serde_json::to_string(&plain).unwrap());
        let refused = Response::from_errors(vec![ServerError::new("no", None)]);
        assert_eq!(written(&refused), serde_json::to_string(&refused).unwrap());
    }

    #[test]
    fn a_raw_value_is_copied_where_it_stands() {
        let raw = r#"[{"district":"南山区","trainees":3},{"district":"福田区","trainees":0}]"#;
        let rows = object(vec![(RAW_VALUE_TOKEN, Value::String(raw.to_owned()))]);
        let response = Response::new(object(vec![("stats", rows), ("n", Value::from(1))]));

        let text = written(&response);

        assert_eq!(text, format!(r#"{{"data":{{"stats":{raw},"n":1}}}}"#));
        // The same JSON as async-graphql's serializer, which checks the text first.
        assert_eq!(text, serde_json::to_string(&response).unwrap());
    }
}
