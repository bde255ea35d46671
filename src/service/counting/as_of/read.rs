//! Where every figure stood at the end of a day, read from the month rows and a few
//! days: the months before the day's month, the days of its month, the days of the month
//! where its 90-day window starts, and, for a figure at or above its target, the days of
//! the one month where its figure last rose to the target (found from the months'
//! losses without reading their days). The days of the month where each figure last rose
//! to its target the last time it was searched are read with the rest
//! ([`super::rise::RiseHints`]), so that search usually needs no statement of its own.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use uuid::Uuid;

use super::months::first_of;
use super::rise::{Crossing, RISE_HINTS, crossing, last_rise, month_ranges, start_of};
use super::{Source, Standing, Standings};
use crate::error::AppError;
use crate::service::counting::cell::read_int;
use crate::service::counting::day_changes::Figure;
use crate::service::counting::reach::window_start;
use crate::service::counting::{columns, sql};

/// One figure's rows as read: its months before `as_of`'s month (first day, change,
/// losses) and its days (day, change) of the months read by day, each in date order.
#[derive(Debug, Default)]
pub(super) struct Rows {
    pub(super) months: Vec<(NaiveDate, i64, i64)>,
    pub(super) days: Vec<(NaiveDate, i64)>,
}

/// Every figure's rows of one scope as read for a day ([`figures`]), to be placed
/// against their targets ([`Figures::standings`]).
#[derive(Debug)]
pub struct Figures {
    /// The table of days read (`progress_day`, or a closed programme's frozen days).
    days: &'static str,
    programme: Uuid,
    scope: Uuid,
    as_of: NaiveDate,
    rows: BTreeMap<Figure, Rows>,
    /// The days (shards summed, in date order) of each hinted figure's month, read with
    /// the rest: the month the figure last rose to its target in the last search.
    hinted: BTreeMap<Figure, (NaiveDate, Vec<(NaiveDate, i64)>)>,
}

/// The rows of every figure of `programme` in `scope` (nil: the city) that tell where it
/// stood at the end of `as_of`, in one statement; a caller that must also read the
/// targets reads them meanwhile.
pub async fn figures(
    db: &impl ConnectionTrait,
    source: Source,
    programme: Uuid,
    scope: Uuid,
    as_of: NaiveDate,
) -> Result<Figures, AppError> {
    let (months, days) = match source {
        Source::Live => ("progress_month", "progress_day"),
        Source::Final => ("programme_final_month", "programme_final"),
    };
    let this_month = first_of(as_of);
    let since = window_start(as_of);
    let hints = RISE_HINTS.get((days, programme, scope), this_month);
    let mut values: Vec<Value> = vec![
        programme.into(),
        scope.into(),
        this_month.into(),
        programme.into(),
        scope.into(),
        first_of(since).into(),
        since.into(),
        this_month.into(),
        as_of.into(),
    ];
    // Rows as stored (past days and months are one row each once compacted; today's and
    // this month's a few shards), summed and ordered here: summing and sorting them by
    // figure and day in PostgreSQL took as long as reading them. On PostgreSQL a
    // figure's rows of each grain arrive as one row ([`select`]).
    let arrays = db.get_database_backend() == DbBackend::Postgres;
    let mut text = [
        select(
            arrays,
            'M',
            "month",
            "losses",
            &format!("{months} WHERE programme_id = ? AND scope_id = ? AND month < ?"),
        ),
        select(
            arrays,
            'D',
            "day",
            "0",
            &format!(
                "{days} WHERE programme_id = ? AND scope_id = ? \
                 AND ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?))"
            ),
        ),
    ]
    .join(" UNION ALL ");
    if !hints.is_empty() {
        values.extend([programme.into(), scope.into()]);
        let ranges = month_ranges(&hints, &mut values);
        text.push_str(" UNION ALL ");
        text.push_str(&select(
            arrays,
            'H',
            "day",
            "0",
            &format!("{days} WHERE programme_id = ? AND scope_id = ? AND ({ranges})"),
        ));
    }
    type Dated = (BTreeMap<NaiveDate, (i64, i64)>, BTreeMap<NaiveDate, i64>);
    let mut read: BTreeMap<Figure, Dated> = BTreeMap::new();
    let mut hinted: BTreeMap<Figure, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    // Columns by position: grain, figure, then day, change and losses.
    for row in sql::query(db, &text, values).await? {
        let figure = columns::text(&row, 1, Figure::parse)?;
        let grain = columns::text(&row, 0, |grain| Ok(grain.as_bytes().first().copied()))?;
        each_value(&row, |day, n, losses| match grain {
            Some(b'M') => {
                let month = read.entry(figure).or_default().0.entry(day).or_default();
                month.0 += n;
                month.1 += losses;
            }
            Some(b'D') => *read.entry(figure).or_default().1.entry(day).or_default() += n,
            _ => *hinted.entry(figure).or_default().entry(day).or_default() += n,
        })?;
    }
    let rows = read
        .into_iter()
        .map(|(figure, (months, days))| {
            let months = months.into_iter().map(|(m, (n, l))| (m, n, l)).collect();
            (
                figure,
                Rows {
                    months,
                    days: days.into_iter().collect(),
                },
            )
        })
        .collect();
    Ok(Figures {
        days,
        programme,
        scope,
        as_of,
        rows,
        hinted: hints
            .into_iter()
            .map(|(figure, month)| {
                let days = hinted.remove(&figure).unwrap_or_default();
                (figure, (month, days.into_iter().collect()))
            })
            .collect(),
    })
}

/// One grain's part of the read (grain, figure, then day, change and losses) from `from`,
/// a table and its condition. With `arrays` (PostgreSQL) a row per figure, its values in
/// arrays: the city's figures are hundreds of rows, and receiving a row cost the server
/// more than the three values in it. Without (SQLite, in process), a row per row stored.
fn select(arrays: bool, grain: char, day: &str, losses: &str, from: &str) -> String {
    if arrays {
        format!(
            "SELECT '{grain}', figure, array_agg({day}), array_agg(change), \
             array_agg(CAST({losses} AS BIGINT)) FROM {from} GROUP BY figure"
        )
    } else {
        format!("SELECT '{grain}', figure, {day}, change, {losses} FROM {from}")
    }
}

/// Hands each (day, change, losses) of a row of [`select`] to `add`: a row per figure's
/// arrays, or a row per value.
fn each_value(row: &QueryResult, mut add: impl FnMut(NaiveDate, i64, i64)) -> Result<(), AppError> {
    match (
        columns::array::<NaiveDate>(row, 2),
        columns::array::<i64>(row, 3),
        columns::array::<i64>(row, 4),
    ) {
        (Some(days), Some(changes), Some(losses)) => {
            for ((day, n), losses) in days?.into_iter().zip(changes?).zip(losses?) {
                add(day, n, losses);
            }
        }
        _ => add(
            row.try_get_by_index(2)?,
            row.try_get_by_index(3)?,
            row.try_get_by_index(4)?,
        ),
    }
    Ok(())
}

/// A figure at or above its target whose last rise lies in an earlier month: the months
/// it may lie in, latest first, and where it stood before them.
struct Search {
    figure: Figure,
    target: i64,
    months: std::vec::IntoIter<NaiveDate>,
}

impl Figures {
    /// Where every figure stood, each figure of `targets` placed against its target (in
    /// its unit): the days of the months where rises may lie are read for every such
    /// figure at once, one month each per statement (the first month read almost always
    /// holds the rise), none for a month whose days were read with the figures.
    pub async fn standings(
        mut self,
        db: &impl ConnectionTrait,
        targets: &[(Figure, u64)],
    ) -> Result<Standings, AppError> {
        let this_month = first_of(self.as_of);
        let since = window_start(self.as_of);
        let mut out = Standings::new();
        let mut searches = Vec::new();
        for (figure, rows) in &self.rows {
            let target = targets
                .iter()
                .find(|(f, _)| f == figure)
                .map(|(_, t)| i64::try_from(*t).unwrap_or(i64::MAX));
            let mut standing = standing(rows, this_month, since);
            if let Some(target) = target.filter(|t| *t > 0 && standing.total >= *t) {
                match crossing(rows, this_month, self.as_of, target) {
                    Crossing::On(day) => standing.crossed = Some(day),
                    Crossing::In(months) => searches.push(Search {
                        figure: *figure,
                        target,
                        months: months.into_iter(),
                    }),
                }
            }
            out.insert(*figure, standing);
        }
        while !searches.is_empty() {
            let asked: Vec<(Figure, NaiveDate)> = searches
                .iter_mut()
                .filter_map(|search| search.months.next().map(|month| (search.figure, month)))
                .collect();
            let mut read = BTreeMap::new();
            let mut unread = Vec::new();
            for &(figure, month) in &asked {
                match self.hinted.remove(&figure) {
                    Some((hinted, days)) if hinted == month => {
                        read.insert(figure, days);
                    }
                    _ => unread.push((figure, month)),
                }
            }
            read.extend(self.months_days(db, &unread).await?);
            searches.retain(|search| {
                let Some((_, month)) = asked.iter().find(|(f, _)| *f == search.figure) else {
                    return false;
                };
                let rows = self.rows.get(&search.figure);
                let start = rows.map_or(0, |rows| start_of(rows, *month));
                let days = read.get(&search.figure).map_or(&[][..], Vec::as_slice);
                match last_rise(start, days, search.target) {
                    Some(day) => {
                        let key = (self.days, self.programme, self.scope);
                        RISE_HINTS.set(key, search.figure, *month);
                        if let Some(standing) = out.get_mut(&search.figure) {
                            standing.crossed = Some(day);
                        }
                        false
                    }
                    None => true,
                }
            });
        }
        Ok(out)
    }

    /// The days of each figure's month in `asked`, shards summed, in date order, in one
    /// statement.
    async fn months_days(
        &self,
        db: &impl ConnectionTrait,
        asked: &[(Figure, NaiveDate)],
    ) -> Result<BTreeMap<Figure, Vec<(NaiveDate, i64)>>, AppError> {
        let mut out: BTreeMap<Figure, Vec<(NaiveDate, i64)>> = BTreeMap::new();
        if asked.is_empty() {
            return Ok(out);
        }
        let mut values: Vec<Value> = vec![self.programme.into(), self.scope.into()];
        let ranges = month_ranges(asked, &mut values);
        for row in sql::query(
            db,
            &format!(
                "SELECT figure, day, CAST(SUM(change) AS BIGINT) AS n FROM {} \
                 WHERE programme_id = ? AND scope_id = ? AND ({ranges}) \
                 GROUP BY figure, day ORDER BY figure, day",
                self.days,
            ),
            values,
        )
        .await?
        {
            out.entry(Figure::parse(&row.try_get::<String>("", "figure")?)?)
                .or_default()
                .push((row.try_get("", "day")?, read_int(&row, "n")?));
        }
        Ok(out)
    }
}

/// The figure, and its net change over the window, from the rows read.
fn standing(rows: &Rows, this_month: NaiveDate, since: NaiveDate) -> Standing {
    let months: i64 = rows.months.iter().map(|(_, n, _)| n).sum();
    let current: i64 = rows
        .days
        .iter()
        .filter(|(d, _)| *d >= this_month)
        .map(|(_, n)| n)
        .sum();
    let total = months + current;
    let window_month = first_of(since);
    let before_window: i64 = rows
        .months
        .iter()
        .filter(|(m, _, _)| *m < window_month)
        .map(|(_, n, _)| n)
        .sum::<i64>()
        + rows
            .days
            .iter()
            .filter(|(d, _)| *d >= window_month && *d <= since)
            .map(|(_, n)| n)
            .sum::<i64>();
    Standing {
        total,
        recent: total - before_window,
        crossed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    #[test]
    fn the_figure_and_its_window_come_from_months_and_the_days_of_two_months() {
        // As of 15 June: months Jan–May, days of June and of March (the window's start,
        // 17 March: 90 days before).
        let rows = Rows {
            months: vec![
                (day(1, 1), 5, 0),
                (day(2, 1), 3, -1),
                (day(3, 1), 4, 0),
                (day(4, 1), 2, 0),
                (day(5, 1), 1, 0),
            ],
            days: vec![(day(3, 10), 3), (day(3, 20), 1), (day(6, 2), 2)],
        };
        let standing = standing(&rows, day(6, 1), day(3, 17));
        assert_eq!(standing.total, 5 + 3 + 4 + 2 + 1 + 2);
        // Since 17 March: March's days after it (1), April, May, June's days.
        assert_eq!(standing.recent, 1 + 2 + 1 + 2);
    }
}
