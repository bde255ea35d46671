//! Limits async-graphql does not have built in: a cap on aliased fields per document and
//! on directives per field, checked on the parsed document before it is validated, so
//! that validation cannot answer each repetition with an error of its own.
//!
//! A plain check run by [`crate::graphql::execute`], not a schema extension: with any
//! extension registered, async-graphql sends every resolved field of every response
//! through the extension chain (a boxed future and a registry lookup per field: a
//! 250-row `stats` answer took 10.6 million instructions with two extensions, 6.3
//! million with none).

use async_graphql::ServerError;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};

/// Refuses a document with more than [`MAX_DIRECTIVES`] directives on one place or more
/// than `max_aliases` aliased fields (counted where they are written, operations and
/// fragments alike). Aliases let one request run the same costly field, such as `login`,
/// many times over; depth and complexity do not see that.
pub fn check(document: &ExecutableDocument, max_aliases: usize) -> Result<(), ServerError> {
    let directives = most_directives(document);
    if directives > MAX_DIRECTIVES {
        return Err(ServerError::new(
            format!(
                "a field or fragment carries {directives} directives; at most {MAX_DIRECTIVES} are allowed"
            ),
            None,
        ));
    }
    let aliases = count_aliases(document);
    if aliases > max_aliases {
        return Err(ServerError::new(
            format!("the document has {aliases} aliased fields; at most {max_aliases} are allowed"),
            None,
        ));
    }
    Ok(())
}

/// Most directives on one field, fragment or operation. Two (`@include` and `@skip`)
/// are all a client needs; a repeated unknown directive would otherwise be answered with
/// one error per repetition.
pub const MAX_DIRECTIVES: usize = 4;

/// The largest number of directives on one operation, fragment, field or spread.
fn most_directives(document: &ExecutableDocument) -> usize {
    let operations = document.operations.iter().map(|(_, operation)| {
        let op = &operation.node;
        op.directives
            .len()
            .max(directives_in(&op.selection_set.node))
    });
    let fragments = document.fragments.values().map(|fragment| {
        let f = &fragment.node;
        f.directives.len().max(directives_in(&f.selection_set.node))
    });
    operations.chain(fragments).max().unwrap_or(0)
}

fn directives_in(set: &SelectionSet) -> usize {
    let here = |d: &Vec<Positioned<Directive>>| d.len();
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                here(&field.node.directives).max(directives_in(&field.node.selection_set.node))
            }
            Selection::InlineFragment(fragment) => here(&fragment.node.directives)
                .max(directives_in(&fragment.node.selection_set.node)),
            Selection::FragmentSpread(spread) => here(&spread.node.directives),
        })
        .max()
        .unwrap_or(0)
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
    use super::{count_aliases, most_directives};

    #[test]
    fn the_most_directives_on_any_one_field_fragment_or_operation_are_counted() {
        let document = async_graphql::parser::parse_query(
            "query Q @a { me @b @c { id @d @e @f } ...F @g }
             fragment F on Query @h { me { ... on User @i @j { id } } }",
        )
        .unwrap();
        assert_eq!(most_directives(&document), 3);
    }

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
