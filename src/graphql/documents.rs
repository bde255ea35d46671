//! Parsed documents by their text. Clients send the same few documents over and over
//! (a dashboard's queries, an institution's `enrol`), and parsing one cost as much as
//! answering a small query: `programmeProgress(asOf:)` with its goals, 330,000
//! instructions of 3.3 million. A copy of the parsed tree costs a fraction of that.
//!
//! Only a document that parsed is remembered; one that did not is parsed (and refused)
//! each time. What is remembered is the document alone: variables, the operation name
//! and the caller are the request's own, and validation, the limits and execution run on
//! every request as before.

use async_graphql::parser::types::ExecutableDocument;

use crate::service::memo::Memo;

/// Documents at most this long are remembered (longer ones carry their data inline, as
/// a bulk call may, and are rarely sent twice).
const MAX_TEXT: usize = 4 * 1024;

/// Documents remembered at most; a full memory is emptied and fills again.
const LIMIT: usize = 256;

/// The documents parsed lately, by their text.
pub struct Documents(Memo<String, ExecutableDocument>);

impl Default for Documents {
    fn default() -> Self {
        Self(Memo::new(LIMIT))
    }
}

impl Documents {
    /// Gives `request` its parsed document: the one parsed from the same text before, or
    /// its own, remembered.
    pub fn parse(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_TEXT {
            return;
        }
        if let Some(document) = self.0.recall(request.query.as_str()) {
            request.set_parsed_query(document);
        } else if let Ok(document) = request.parsed_query() {
            let document = document.clone();
            self.0.remember(request.query.clone(), document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The response keys of the one operation of `request`'s document.
    fn fields(request: &mut async_graphql::Request) -> Vec<String> {
        let Ok(document) = request.parsed_query() else {
            return Vec::new();
        };
        document
            .operations
            .iter()
            .flat_map(|(_, op)| op.node.selection_set.node.items.clone())
            .filter_map(|item| match item.node {
                async_graphql::parser::types::Selection::Field(f) => {
                    Some(f.node.response_key().node.to_string())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_same_text_gets_the_document_parsed_before() {
        let documents = Documents::default();
        let mut first = async_graphql::Request::new("{ me { id } }");
        documents.parse(&mut first);
        assert_eq!(fields(&mut first), ["me"]);
        // What was remembered under the text is what the next request gets, unparsed.
        let other = async_graphql::parser::parse_query("{ stats { trainees } }").unwrap();
        documents.0.remember("{ me { id } }".to_owned(), other);

        let mut second = async_graphql::Request::new("{ me { id } }");
        documents.parse(&mut second);

        assert_eq!(fields(&mut second), ["stats"]);
    }

    #[test]
    fn a_document_that_does_not_parse_is_not_remembered() {
        let documents = Documents::default();
        let mut request = async_graphql::Request::new("{ me { ");
        documents.parse(&mut request);
        assert!(documents.0.recall("{ me { ").is_none());
        assert!(request.parsed_query().is_err(), "still refused as before");
    }

    #[test]
    fn a_long_document_is_parsed_but_not_remembered() {
        let documents = Documents::default();
        let text = format!("{{ me {{ id }} }} # {}", "x".repeat(MAX_TEXT));
        let mut request = async_graphql::Request::new(text.as_str());
        documents.parse(&mut request);
        assert!(documents.0.recall(text.as_str()).is_none());
        assert!(request.parsed_query().is_ok());
    }
}
