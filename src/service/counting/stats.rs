//! Breakdowns of the registry's numbers by track, district, institution, month and level.
//!
//! Each measure counts its own event: `enrolments` by enrolment date, `completions` by
//! completion date. `trainees` and `certifiedPersons` count each person once per track, in
//! the group of the person's first enrolment (first unrevoked certificate) on that track,
//! so every breakdown adds up to the city's total. Districts are the institution's.
//!
//! Answers come from the maintained cells only: whole months from `stats_rollup`, and the
//! days of a month that a `from`/`to` cuts from `stats_day` (at most two edge months'
//! days), so an answer is bounded by cells, not by data.

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::cell::{Grain, Measures};
use super::{columns, sql};
use crate::auth::CurrentUser;
use crate::domain::month_of;
use crate::domain::{District, Track};
use crate::error::AppError;
use crate::service::{access, programme};

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    /// Course track.
    Track,
    /// The institution's district.
    District,
    /// The institution.
    Institution,
    /// `YYYY-MM` of the event date (programme calendar).
    Month,
    /// Course skill level.
    Level,
}

/// Filters; all optional.
#[derive(Debug, Default)]
pub struct StatsFilter {
    /// Only events within this programme's period.
    pub programme_id: Option<Uuid>,
    /// Only this track.
    pub track: Option<Track>,
    /// Only institutions in this district.
    pub district: Option<District>,
    /// Only this institution.
    pub institution_id: Option<Uuid>,
    /// Only events on or after this date.
    pub from: Option<NaiveDate>,
    /// Only events on or before this date.
    pub to: Option<NaiveDate>,
}

/// The values of the grouped-by dimensions (the others stay `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupKey {
    /// Track code.
    pub track: Option<String>,
    /// District name.
    pub district: Option<String>,
    /// Institution id.
    pub institution_id: Option<Uuid>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    /// Skill level (`None` also for courses without a level).
    pub level: Option<i32>,
}

/// One row of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsRow {
    /// The group.
    pub key: GroupKey,
    /// Persons counted once per track, in the group of their first enrolment.
    pub trainees: i64,
    /// Enrolments.
    pub enrolments: i64,
    /// Enrolments completed as passed.
    pub completions: i64,
    /// Persons counted once per track, in the group of their first unrevoked certificate.
    pub certified_persons: i64,
}

/// The breakdown of `filter` by `group_by`. Institution roles get their own institution's
/// rows only; without dimensions the result is one row of totals.
pub async fn stats(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    mut filter: StatsFilter,
    group_by: &[Dimension],
) -> Result<Vec<StatsRow>, AppError> {
    if let Some(own) = access::read_scope(actor)? {
        match filter.institution_id {
            Some(asked) if asked != own => return Err(AppError::Forbidden),
            _ => filter.institution_id = Some(own),
        }
    }
    let (from, to) = period(db, &filter).await?;
    let mut dims = group_by.to_vec();
    dims.sort();
    dims.dedup();
    // The cells of every span, then sorted by group: a span's rows mostly come in the
    // order of the table's key, so the sort finds runs rather than comparing every pair
    // (a map keyed by the groups' strings cost more than the read).
    let mut cells: Vec<(GroupKey, Measures)> = Vec::new();
    // The spans (whole months, the first and the last cut month: three at most) are read
    // at once, each one statement on its own pooled connection.
    let spans = spans(from, to);
    for three in spans.chunks(3) {
        let part = |i: usize| {
            let (span, filter, dims) = (three.get(i), &filter, &dims);
            async move {
                match span {
                    Some(span) => sum_cells(db, filter, dims, span).await,
                    None => Ok(Vec::new()),
                }
            }
        };
        let (first, second, third) = tokio::try_join!(part(0), part(1), part(2))?;
        cells.extend(first.into_iter().chain(second).chain(third));
    }
    cells.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rows: Vec<StatsRow> = Vec::with_capacity(cells.len());
    for (key, m) in cells {
        if rows.last().is_none_or(|row| row.key != key) {
            rows.push(StatsRow {
                key,
                ..StatsRow::default()
            });
        }
        if let Some(row) = rows.last_mut() {
            row.enrolments += m.enrolments;
            row.completions += m.completions;
            row.trainees += m.trainees;
            row.certified_persons += m.certified_persons;
        }
    }
    // A group whose rows cancel out (a person's first enrolment moved between shards of
    // one month) is no group, as it would not be had the rows been summed in SQL.
    rows.retain(|row| {
        [
            row.enrolments,
            row.completions,
            row.trainees,
            row.certified_persons,
        ] != [0; 4]
    });
    if dims.is_empty() && rows.is_empty() {
        rows.push(StatsRow::default());
    }
    Ok(rows)
}

/// The date range: the programme's period narrowed by `from`/`to`.
async fn period(
    db: &impl ConnectionTrait,
    filter: &StatsFilter,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), AppError> {
    let (mut from, mut to) = (filter.from, filter.to);
    if let Some(id) = filter.programme_id {
        let p = programme::get(db, id).await?;
        from = Some(from.map_or(p.starts_on, |f| f.max(p.starts_on)));
        to = Some(to.map_or(p.ends_on, |t| t.min(p.ends_on)));
    }
    Ok((from, to))
}

/// Where a part of a date range is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Span {
    /// Whole months, `YYYY-MM` inclusive (open where `None`): `stats_rollup`.
    Months(Option<String>, Option<String>),
    /// Days of a month the range cuts, inclusive: `stats_day`. One span per cut month, so
    /// each reads one range of the table's key.
    Days(NaiveDate, NaiveDate),
}

/// Splits `from..=to` into its whole months and the days of the (at most two) months
/// it cuts; nothing when the range is empty.
fn spans(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<Span> {
    if from.zip(to).is_some_and(|(f, t)| f > t) {
        return Vec::new();
    }
    let mut days = Vec::new();
    let mut first_month = from.map(month_of);
    if let Some(f) = from.filter(|f| f.day() != 1) {
        let last = to.map_or(month_end(f), |t| t.min(month_end(f)));
        days.push((f, last));
        first_month = Some(month_of(next_month(f)));
    }
    let mut last_month = to.map(month_of);
    if let Some(t) = to.filter(|t| *t != month_end(*t)) {
        let first = t.with_day(1).unwrap_or(t);
        if days.iter().all(|(_, last)| *last < first) {
            days.push((first.max(from.unwrap_or(first)), t));
        }
        last_month = Some(month_of(first.pred_opt().unwrap_or(first)));
    }
    let mut out = Vec::new();
    if first_month
        .as_ref()
        .zip(last_month.as_ref())
        .is_none_or(|(f, l)| f <= l)
    {
        out.push(Span::Months(first_month, last_month));
    }
    out.extend(
        days.into_iter()
            .map(|(first, last)| Span::Days(first, last)),
    );
    out
}

/// The last day of `day`'s month.
fn month_end(day: NaiveDate) -> NaiveDate {
    next_month(day).pred_opt().unwrap_or(day)
}

/// The first day of the month after `day`'s.
fn next_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .unwrap_or(day)
}

/// Sums the cells of `span` matching `filter`, grouped by `dims`: district-grain rows
/// unless grouping or filtering by institution.
async fn sum_cells(
    db: &impl ConnectionTrait,
    filter: &StatsFilter,
    dims: &[Dimension],
    span: &Span,
) -> Result<Vec<(GroupKey, Measures)>, AppError> {
    // The days of a span are of one month, known here: grouping them by a month computed
    // per row (a date cast to text) cost more than reading them.
    let (table, month, dims) = match span {
        Span::Months(..) => ("stats_rollup", None, dims.to_vec()),
        Span::Days(first, _) => (
            "stats_day",
            dims.contains(&Dimension::Month).then(|| month_of(*first)),
            dims.iter()
                .copied()
                .filter(|dim| *dim != Dimension::Month)
                .collect(),
        ),
    };
    let dims = dims.as_slice();
    let mut text = String::from("SELECT ");
    for dim in dims {
        text.push_str(column(*dim));
        text.push_str(", ");
    }
    let (grain, conditions, values) = conditions(filter, dims, span);
    // District totals by district and month are one row per group but for this month's
    // shards: summed here (`stats` adds up rows of one group) instead of hashed by
    // PostgreSQL, which took longer than the read.
    let rows_are_groups = grain == Grain::DistrictTotal
        && matches!(span, Span::Months(..))
        && dims == [Dimension::District, Dimension::Month];
    let measure = |name: &str| {
        if rows_are_groups {
            format!("CAST({name} AS BIGINT) AS {name}")
        } else {
            format!("SUM({name}) AS {name}")
        }
    };
    text.push_str(&format!(
        "{}, {}, {}, {} FROM {table} WHERE {conditions}",
        measure("enrolments"),
        measure("completions"),
        measure("trainees"),
        measure("certified_persons"),
    ));
    if !dims.is_empty() && !rows_are_groups {
        let grouped: Vec<&str> = dims.iter().map(|dim| column(*dim)).collect();
        text.push_str(" GROUP BY ");
        text.push_str(&grouped.join(", "));
    }
    let rows = sql::query(db, &text, values).await?;
    // Read by position (the dimensions, then the four measures): a lookup by name per
    // column and row cost as much as decoding them.
    let at = dims.len();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let m = Measures {
            enrolments: sum(row, at)?,
            completions: sum(row, at + 1)?,
            trainees: sum(row, at + 2)?,
            certified_persons: sum(row, at + 3)?,
        };
        if !m.is_zero() {
            let mut key = key_of(row, dims)?;
            key.month = key.month.or_else(|| month.clone());
            out.push((key, m));
        }
    }
    Ok(out)
}

/// The column a dimension is read from (and named as in a summed row).
fn column(dim: Dimension) -> &'static str {
    match dim {
        Dimension::Track => "track",
        Dimension::District => "district",
        Dimension::Institution => "institution_id",
        Dimension::Month => "month",
        Dimension::Level => "level",
    }
}

/// The `WHERE` of [`sum_cells`] and its values: the grain (district rows have the nil
/// institution, so every grain is read by its key's prefix; without tracks and levels
/// to tell apart, the rows of every track and level summed), the filter, the span.
fn conditions(
    filter: &StatsFilter,
    dims: &[Dimension],
    span: &Span,
) -> (Grain, String, Vec<Value>) {
    let per_institution = dims.contains(&Dimension::Institution) || filter.institution_id.is_some();
    let per_track = dims.contains(&Dimension::Track)
        || dims.contains(&Dimension::Level)
        || filter.track.is_some();
    let (grain, institution) = if per_institution {
        (Grain::Institution, filter.institution_id)
    } else if per_track {
        (Grain::District, Some(Uuid::nil()))
    } else {
        (Grain::DistrictTotal, Some(Uuid::nil()))
    };
    let mut text = String::from("grain = ?");
    let mut values: Vec<Value> = vec![grain.as_str().into()];
    let mut condition = |clause: &str, value: Value| {
        text.push_str(clause);
        values.push(value);
    };
    if let Some(id) = institution {
        condition(" AND institution_id = ?", id.into());
    }
    if let Some(track) = filter.track {
        condition(" AND track = ?", track.as_str().into());
    }
    if let Some(district) = &filter.district {
        condition(" AND district = ?", district.as_str().into());
    }
    match span {
        Span::Months(first, last) => {
            if let Some(first) = first {
                condition(" AND month >= ?", first.clone().into());
            }
            if let Some(last) = last {
                condition(" AND month <= ?", last.clone().into());
            }
        }
        Span::Days(first, last) => {
            condition(" AND day >= ?", (*first).into());
            condition(" AND day <= ?", (*last).into());
        }
    }
    (grain, text, values)
}

/// The group of a summed row: the grouped-by dimensions only, in its first columns.
fn key_of(row: &QueryResult, dims: &[Dimension]) -> Result<GroupKey, AppError> {
    let mut key = GroupKey::default();
    for (i, dim) in dims.iter().enumerate() {
        match dim {
            Dimension::Track => key.track = Some(columns::string(row, i)?),
            Dimension::District => key.district = Some(columns::string(row, i)?),
            Dimension::Institution => key.institution_id = Some(row.try_get_by_index(i)?),
            Dimension::Month => key.month = Some(columns::string(row, i)?),
            Dimension::Level => {
                let level: i32 = row.try_get_by_index(i)?;
                key.level = (level != 0).then_some(level);
            }
        }
    }
    Ok(key)
}

/// A `SUM` of an integer column (`bigint` on PostgreSQL); NULL over no rows.
fn sum(row: &QueryResult, index: usize) -> Result<i64, AppError> {
    Ok(row.try_get_by_index::<Option<i64>>(index)?.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn months(first: Option<&str>, last: Option<&str>) -> Span {
        Span::Months(first.map(str::to_owned), last.map(str::to_owned))
    }

    #[test]
    fn a_range_cutting_two_months_reads_their_days_and_the_whole_months_between() {
        assert_eq!(
            spans(Some(day("2024-03-15")), Some(day("2024-09-10"))),
            vec![
                months(Some("2024-04"), Some("2024-08")),
                Span::Days(day("2024-03-15"), day("2024-03-31")),
                Span::Days(day("2024-09-01"), day("2024-09-10")),
            ]
        );
    }

    #[test]
    fn whole_months_read_no_days() {
        assert_eq!(
            spans(Some(day("2024-02-01")), Some(day("2024-02-29"))),
            vec![months(Some("2024-02"), Some("2024-02"))]
        );
        assert_eq!(spans(None, None), vec![months(None, None)]);
    }

    #[test]
    fn a_range_within_one_month_reads_its_days_only() {
        assert_eq!(
            spans(Some(day("2024-03-05")), Some(day("2024-03-20"))),
            vec![Span::Days(day("2024-03-05"), day("2024-03-20"))]
        );
        assert_eq!(
            spans(Some(day("2024-03-01")), Some(day("2024-03-20"))),
            vec![Span::Days(day("2024-03-01"), day("2024-03-20"))]
        );
        assert_eq!(
            spans(Some(day("2024-03-05")), Some(day("2024-03-31"))),
            vec![Span::Days(day("2024-03-05"), day("2024-03-31"))]
        );
    }

    #[test]
    fn an_open_range_cuts_at_its_one_end() {
        assert_eq!(
            spans(Some(day("2024-12-31")), None),
            vec![
                months(Some("2025-01"), None),
                Span::Days(day("2024-12-31"), day("2024-12-31")),
            ]
        );
        assert_eq!(
            spans(None, Some(day("2024-09-10"))),
            vec![
                months(None, Some("2024-08")),
                Span::Days(day("2024-09-01"), day("2024-09-10")),
            ]
        );
    }

    #[test]
    fn an_empty_range_reads_nothing() {
        assert_eq!(
            spans(Some(day("2024-03-20")), Some(day("2024-03-05"))),
            vec![]
        );
        assert_eq!(
            spans(Some(day("2024-04-01")), Some(day("2024-03-31"))),
            vec![]
        );
    }
}
