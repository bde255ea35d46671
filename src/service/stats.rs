//! Breakdowns of the registry's numbers by track, district, institution, month and level,
//! counted exactly from the base tables.
//!
//! Each measure counts its own event: `trainees` (distinct persons) and `enrolments` by
//! enrolment date, `completions` by completion date, `certifiedPersons` (distinct persons
//! with an unrevoked certificate) by issue date. Districts are the institution's.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, QueryResult, Value};
use uuid::Uuid;

use super::{access, programme, sql};
use crate::auth::CurrentUser;
use crate::domain::{District, Track};
use crate::error::AppError;

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
    /// Distinct persons enrolled.
    pub trainees: u64,
    /// Enrolments.
    pub enrolments: u64,
    /// Enrolments completed as passed.
    pub completions: u64,
    /// Distinct persons with an unrevoked certificate.
    pub certified_persons: u64,
}

/// Column expressions of one event source.
struct Source {
    from: &'static str,
    track: &'static str,
    institution: &'static str,
    level: &'static str,
    date: &'static str,
}

const ENROLMENTS: Source = Source {
    from: "enrolment e JOIN course c ON c.id = e.course_id \
           JOIN institution i ON i.id = c.institution_id",
    track: "c.track",
    institution: "c.institution_id",
    level: "c.level",
    date: "e.enrolled_on",
};

const COMPLETIONS: Source = Source {
    date: "e.completed_on",
    ..ENROLMENTS
};

const CERTIFICATES: Source = Source {
    from: "certificate t JOIN institution i ON i.id = t.institution_id",
    track: "t.track",
    institution: "t.institution_id",
    level: "t.level",
    date: "t.issued_on",
};

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
    let mut rows: BTreeMap<GroupKey, StatsRow> = BTreeMap::new();
    let q = Query {
        dims: &dims,
        filter: &filter,
        from,
        to,
    };
    for row in q
        .run(
            db,
            &ENROLMENTS,
            "",
            "COUNT(DISTINCT e.trainee_id), COUNT(*)",
        )
        .await?
    {
        let (key, counts) = q.read(&row, 2)?;
        let entry = rows.entry(key).or_default();
        entry.trainees = counts[0];
        entry.enrolments = counts[1];
    }
    for row in q
        .run(db, &COMPLETIONS, "AND e.status = 'COMPLETED'", "COUNT(*)")
        .await?
    {
        let (key, counts) = q.read(&row, 1)?;
        rows.entry(key).or_default().completions = counts[0];
    }
    for row in q
        .run(
            db,
            &CERTIFICATES,
            "AND t.revoked_at IS NULL",
            "COUNT(DISTINCT t.trainee_id)",
        )
        .await?
    {
        let (key, counts) = q.read(&row, 1)?;
        rows.entry(key).or_default().certified_persons = counts[0];
    }
    if dims.is_empty() && rows.is_empty() {
        rows.insert(GroupKey::default(), StatsRow::default());
    }
    Ok(rows
        .into_iter()
        .map(|(key, row)| StatsRow { key, ..row })
        .collect())
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

struct Query<'a> {
    dims: &'a [Dimension],
    filter: &'a StatsFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Query<'_> {
    fn columns(&self, source: &Source) -> Vec<String> {
        self.dims
            .iter()
            .map(|d| match d {
                Dimension::Track => source.track.to_owned(),
                Dimension::District => "i.district".to_owned(),
                Dimension::Institution => source.institution.to_owned(),
                Dimension::Month => format!("SUBSTR(CAST({} AS TEXT), 1, 7)", source.date),
                Dimension::Level => source.level.to_owned(),
            })
            .collect()
    }

    async fn run(
        &self,
        db: &impl ConnectionTrait,
        source: &Source,
        extra: &str,
        measures: &str,
    ) -> Result<Vec<QueryResult>, AppError> {
        let columns = self.columns(source);
        let mut select: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} AS k{i}"))
            .collect();
        select.push(measures.to_owned());
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {} IS NOT NULL {extra}",
            select.join(", "),
            source.from,
            source.date
        );
        let mut values: Vec<Value> = Vec::new();
        let mut condition = |clause: String, value: Value| {
            sql.push_str(&clause);
            values.push(value);
        };
        if let Some(track) = self.filter.track {
            condition(format!(" AND {} = ?", source.track), track.as_str().into());
        }
        if let Some(district) = &self.filter.district {
            condition(" AND i.district = ?".to_owned(), district.as_str().into());
        }
        if let Some(id) = self.filter.institution_id {
            condition(format!(" AND {} = ?", source.institution), id.into());
        }
        if let Some(from) = self.from {
            condition(format!(" AND {} >= ?", source.date), from.into());
        }
        if let Some(to) = self.to {
            condition(format!(" AND {} <= ?", source.date), to.into());
        }
        if !columns.is_empty() {
            sql.push_str(" GROUP BY ");
            sql.push_str(&columns.join(", "));
        }
        sql::query(db, &sql, values).await
    }

    /// The group key and the `n` counts of a result row.
    fn read(&self, row: &QueryResult, n: usize) -> Result<(GroupKey, Vec<u64>), AppError> {
        let mut key = GroupKey::default();
        for (i, dim) in self.dims.iter().enumerate() {
            let col = format!("k{i}");
            match dim {
                Dimension::Track => key.track = row.try_get("", &col)?,
                Dimension::District => key.district = row.try_get("", &col)?,
                Dimension::Institution => key.institution_id = row.try_get("", &col)?,
                Dimension::Month => key.month = row.try_get("", &col)?,
                Dimension::Level => key.level = row.try_get("", &col)?,
            }
        }
        let counts = (0..n)
            .map(|j| {
                row.try_get_by_index::<i64>(self.dims.len() + j)
                    .map(|v| u64::try_from(v).unwrap_or(0))
            })
            .collect::<Result<_, _>>()?;
        Ok((key, counts))
    }
}
