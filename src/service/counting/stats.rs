//! Breakdowns of the registry's numbers by track, district, institution, month and level.
//!
//! Each measure counts its own event: `enrolments` by enrolment date, `completions` by
//! completion date. `trainees` and `certifiedPersons` count each person once per track, in
//! the group of the person's first enrolment (first unrevoked certificate) on that track,
//! so every breakdown adds up to the city's total. Districts are the institution's.
//!
//! Answers come from `stats_rollup` (a few thousand rows at national scale); a date filter
//! that does not cover whole months is answered by an exact recount over the base tables.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::cell::{Cell, Grain, Measures, track};
use super::{recount, sql};
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
    let aligned = from.is_none_or(|f| f.day() == 1) && to.is_none_or(|t| is_month_end(&t));
    let cells = if aligned {
        from_rollup(db, &filter, &dims, from, to).await?
    } else {
        let mut cells = recount::cells(db, from, to).await?;
        cells.retain(|cell, _| matches(cell, &filter));
        cells.into_iter().collect()
    };
    let mut rows: BTreeMap<GroupKey, StatsRow> = BTreeMap::new();
    for (cell, m) in cells {
        let row = rows.entry(key_of(&cell, &dims)).or_default();
        row.enrolments += m.enrolments;
        row.completions += m.completions;
        row.trainees += m.trainees;
        row.certified_persons += m.certified_persons;
    }
    if dims.is_empty() && rows.is_empty() {
        rows.insert(GroupKey::default(), StatsRow::default());
    }
    Ok(rows
        .into_iter()
        .map(|(key, row)| StatsRow { key, ..row })
        .collect())
}

fn is_month_end(day: &NaiveDate) -> bool {
    day.succ_opt().is_none_or(|next| next.day() == 1)
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

fn matches(cell: &Cell, filter: &StatsFilter) -> bool {
    filter.track.is_none_or(|t| cell.track == t)
        && filter
            .district
            .as_ref()
            .is_none_or(|d| cell.district == d.as_str())
        && filter
            .institution_id
            .is_none_or(|i| cell.institution_id == i)
}

/// The group of a cell: the grouped-by dimensions only.
fn key_of(cell: &Cell, dims: &[Dimension]) -> GroupKey {
    let mut key = GroupKey::default();
    for dim in dims {
        match dim {
            Dimension::Track => key.track = Some(cell.track.as_str().to_owned()),
            Dimension::District => key.district = Some(cell.district.clone()),
            Dimension::Institution => key.institution_id = Some(cell.institution_id),
            Dimension::Month => key.month = Some(cell.month.clone()),
            Dimension::Level => key.level = (cell.level != 0).then_some(cell.level),
        }
    }
    key
}

/// Sums `stats_rollup` rows grouped by `dims`; the returned cells carry only those keys.
async fn from_rollup(
    db: &impl ConnectionTrait,
    filter: &StatsFilter,
    dims: &[Dimension],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<(Cell, Measures)>, AppError> {
    let per_institution = dims.contains(&Dimension::Institution) || filter.institution_id.is_some();
    let grain = if per_institution {
        Grain::Institution
    } else {
        Grain::District
    };
    let columns: Vec<&str> = dims
        .iter()
        .map(|d| match d {
            Dimension::Track => "track",
            Dimension::District => "district",
            Dimension::Institution => "institution_id",
            Dimension::Month => "month",
            Dimension::Level => "level",
        })
        .collect();
    let mut text = String::from("SELECT ");
    for c in &columns {
        text.push_str(c);
        text.push_str(", ");
    }
    text.push_str(
        "SUM(enrolments) AS enrolments, SUM(completions) AS completions, \
         SUM(trainees) AS trainees, SUM(certified_persons) AS certified_persons \
         FROM stats_rollup WHERE grain = ?",
    );
    let mut values: Vec<Value> = vec![grain.as_str().into()];
    let mut condition = |clause: &str, value: Value| {
        text.push_str(clause);
        values.push(value);
    };
    if let Some(track) = filter.track {
        condition(" AND track = ?", track.as_str().into());
    }
    if let Some(district) = &filter.district {
        condition(" AND district = ?", district.as_str().into());
    }
    if let Some(id) = filter.institution_id {
        condition(" AND institution_id = ?", id.into());
    }
    if let Some(from) = from {
        condition(" AND month >= ?", month_of(from).into());
    }
    if let Some(to) = to {
        condition(" AND month <= ?", month_of(to).into());
    }
    if !columns.is_empty() {
        text.push_str(" GROUP BY ");
        text.push_str(&columns.join(", "));
    }
    let rows = sql::query(db, &text, values).await?;
    rows.iter()
        .map(|row| {
            // Only the grouped-by keys are read; `key_of` looks at no other.
            let mut cell = Cell {
                institution_id: Uuid::nil(),
                district: String::new(),
                track: Track::Host,
                level: 0,
                month: String::new(),
            };
            for dim in dims {
                match dim {
                    Dimension::Track => cell.track = track(&row.try_get::<String>("", "track")?)?,
                    Dimension::District => cell.district = row.try_get("", "district")?,
                    Dimension::Institution => {
                        cell.institution_id = row.try_get("", "institution_id")?;
                    }
                    Dimension::Month => cell.month = row.try_get("", "month")?,
                    Dimension::Level => cell.level = row.try_get("", "level")?,
                }
            }
            let m = Measures {
                enrolments: sum(row, "enrolments")?,
                completions: sum(row, "completions")?,
                trainees: sum(row, "trainees")?,
                certified_persons: sum(row, "certified_persons")?,
            };
            Ok((cell, m))
        })
        .filter(|r: &Result<(Cell, Measures), AppError>| {
            r.as_ref().map_or(true, |(_, m)| !m.is_zero())
        })
        .collect()
}

/// A `SUM` of an integer column (`bigint` on PostgreSQL); NULL over no rows.
fn sum(row: &QueryResult, col: &str) -> Result<i64, AppError> {
    Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0))
}
