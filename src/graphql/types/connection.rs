//! Relay connections with `totalCount`, keyed by opaque cursors over row ids.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::domain::ValidationError;
use crate::error::AppError;
use crate::service::page::{Page, PageRequest};

/// Position after a row: base64url of its id, opaque to clients.
pub struct IdCursor(Uuid);

impl CursorType for IdCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, AppError> {
        parse_cursor(s).map(Self)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }
}

/// Decodes an `after` argument; `BAD_USER_INPUT` on `after` when it is not one of ours.
fn parse_cursor(raw: &str) -> Result<Uuid, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or(AppError::validation(
            "after",
            ValidationError::InvalidFormat("is not a cursor returned by this API"),
        ))
}

/// The page a list field's `first` and `after` ask for: its rows over all pages are
/// counted only when the query selects the connection's `totalCount`.
pub fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<PageRequest, AppError> {
    let page = PageRequest::new(first, after.map(parse_cursor).transpose()?)?;
    Ok(page.counting(ctx.look_ahead().field("totalCount").exists()))
}

/// Extra connection fields.
#[derive(SimpleObject)]
pub struct TotalCount {
    /// Rows matching the filter, over all pages.
    pub total_count: i32,
}

/// A Relay connection of `T` with `totalCount`.
pub type ListConnection<T> = Connection<IdCursor, T, TotalCount>;

/// Builds a connection from a page of rows.
pub fn connection<M, T>(
    page: Page<M>,
    id_of: impl Fn(&M) -> Uuid,
    node: impl Fn(M) -> T,
) -> ListConnection<T>
where
    T: async_graphql::OutputType,
{
    let mut conn = Connection::with_additional_fields(
        false,
        page.has_next,
        TotalCount {
            // Not counted only when not asked for: never shown.
            total_count: super::int(page.total.unwrap_or(0)),
        },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|row| Edge::new(IdCursor(id_of(&row)), node(row))),
    );
    conn
}
