//! Keyset pagination over UUID v7 ids (time-ordered), shared by every list.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::domain::ValidationError;
use crate::error::AppError;

/// Page size when the client gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// A validated page request: up to `first` rows after the row with id `after`, and the
/// number of rows over all pages unless told otherwise ([`PageRequest::counting`]).
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    first: u64,
    after: Option<Uuid>,
    count: bool,
}

impl PageRequest {
    /// Checks `first` (1..=100, default 20).
    pub fn new(first: Option<i32>, after: Option<Uuid>) -> Result<Self, AppError> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if (1..=MAX_PAGE_SIZE as i32).contains(&n) => n as u64,
            Some(n) => {
                return Err(AppError::validation(
                    "first",
                    ValidationError::OutOfRange {
                        min: 1,
                        max: MAX_PAGE_SIZE as i64,
                        value: i64::from(n),
                    },
                ));
            }
        };
        Ok(Self {
            first,
            after,
            count: true,
        })
    }

    /// The same page, with the rows of every page counted only when `count`: a count reads
    /// every matching row (an institution's 200,000 trainees: 200 ms), a page its own rows.
    pub fn counting(self, count: bool) -> Self {
        Self { count, ..self }
    }

    /// Whether the rows of every page are to be counted.
    pub fn counts(&self) -> bool {
        self.count
    }
}

/// One page of rows plus what a Relay connection needs.
#[derive(Debug)]
pub struct Page<T> {
    /// The rows, in id order.
    pub items: Vec<T>,
    /// More rows follow the last one.
    pub has_next: bool,
    /// Rows matching the filter, over all pages, when the request counted them.
    pub total: Option<u64>,
}

/// Runs `select` (already filtered) as one page ordered by `id`.
pub async fn fetch<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    page: PageRequest,
) -> Result<Page<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    let total = if page.count {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let mut rows = match page.after {
        Some(after) => select.filter(id.gt(after)),
        None => select,
    }
    .order_by_asc(id)
    .limit(page.first + 1)
    .all(db)
    .await?;
    let has_next = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok(Page {
        items: rows,
        has_next,
        total,
    })
}
