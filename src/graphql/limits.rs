//! Limits async-graphql does not have built in: a cap on aliased fields per document.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};

/// Refuses documents with more than `max` aliased fields (counted where they are written,
/// operations and fragments alike). Aliases let one request run the same costly field,
/// such as `login`, many times over; depth and complexity do not see that.
pub struct AliasLimit {
    max: usize,
}

impl AliasLimit {
    /// At most `max` aliases per document.
    pub fn new(max: usize) -> Self {
        Self { max }
    }
}

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension { max: self.max })
    }
}

struct AliasLimitExtension {
    max: usize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for AliasLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&document);
        if aliases > self.max {
            return Err(ServerError::new(
                format!(
                    "the document has {aliases} aliased fields; at most {} are allowed",
                    self.max
                ),
                None,
            ));
        }
        Ok(document)
    }
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    let operations = document
        .operations
        .iter()
        .map(|(_, operation)| in_selection(&operation.node.selection_set.node));
    let fragments = document
        .fragments
        .values()
        .map(|fragment| in_selection(&fragment.node.selection_set.node));
    operations.chain(fragments).sum()
}

fn in_selection(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some())
                    + in_selection(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => in_selection(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::count_aliases;

    #[test]
    fn aliases_are_counted_in_operations_fragments_and_nested_selections() {
        let document = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { c: id ... on User { d: id } ...F } }
             fragment F on User { e: id username }",
        )
        .unwrap();
        assert_eq!(count_aliases(&document), 5);
    }
}
