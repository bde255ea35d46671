//! Where every figure stood at the end of a day, read from the month rows and a few
//! days: the months before the day's month, the days of its month, the days of the month
//! where its 90-day window starts, and, for a figure at or above its target, the days of
//! the one month where its figure last rose to the target (found from the months'
//! losses without reading their days).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::months::first_of;
use super::{Source, Standing, Standings};
use crate::error::AppError;
use crate::service::counting::cell::read_int;
use crate::service::counting::day_changes::Figure;
use crate::service::counting::reach::PROJECTION_DAYS;
use crate::service::counting::sql;

/// One figure's rows as read: its months before `as_of`'s month (first day, change,
/// losses) and its days (day, change) of the months read by day, each in date order.
#[derive(Debug, Default)]
struct Rows {
    months: Vec<(NaiveDate, i64, i64)>,
    days: Vec<(NaiveDate, i64)>,
}

/// Where every figure of `programme` in `scope` (nil: the city) stood at the end of
/// `as_of`, each figure of `targets` placed against its target (in its unit): one
/// statement, and one more per figure whose last rise to its target lies in an
/// earlier month.
pub async fn read(
    db: &impl ConnectionTrait,
    source: Source,
    programme: Uuid,
    scope: Uuid,
    as_of: NaiveDate,
    targets: &[(Figure, u64)],
) -> Result<Standings, AppError> {
    let (months, days) = match source {
        Source::Live => ("progress_month", "progress_day"),
        Source::Final => ("programme_final_month", "programme_final"),
    };
    let this_month = first_of(as_of);
    let since = as_of
        .checked_sub_days(Days::new(PROJECTION_DAYS))
        .unwrap_or(as_of);
    let values: Vec<Value> = vec![
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
    let mut figures: BTreeMap<Figure, Rows> = BTreeMap::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT 'M' AS grain, figure, month AS day, CAST(SUM(change) AS BIGINT) AS n, \
               CAST(SUM(losses) AS BIGINT) AS losses FROM {months} \
               WHERE programme_id = ? AND scope_id = ? AND month < ? GROUP BY figure, month \
             UNION ALL \
             SELECT 'D', figure, day, CAST(SUM(change) AS BIGINT), 0 FROM {days} \
               WHERE programme_id = ? AND scope_id = ? \
               AND ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?)) GROUP BY figure, day \
             ORDER BY 2, 3"
        ),
        values,
    )
    .await?
    {
        let rows = figures
            .entry(Figure::parse(&row.try_get::<String>("", "figure")?)?)
            .or_default();
        let (day, n) = (row.try_get("", "day")?, read_int(&row, "n")?);
        if row.try_get::<String>("", "grain")? == "M" {
            rows.months.push((day, n, read_int(&row, "losses")?));
        } else {
            rows.days.push((day, n));
        }
    }
    let mut out = Standings::new();
    for (figure, rows) in figures {
        let target = targets
            .iter()
            .find(|(f, _)| *f == figure)
            .map(|(_, t)| i64::try_from(*t).unwrap_or(i64::MAX));
        let mut standing = standing(&rows, this_month, since);
        if let Some(target) = target.filter(|t| *t > 0 && standing.total >= *t) {
            standing.crossed = match crossing(&rows, this_month, as_of, target) {
                Crossing::On(day) => Some(day),
                Crossing::In(months) => {
                    let mut found = None;
                    for month in months {
                        let month_days =
                            month_days(db, days, programme, scope, figure, month).await?;
                        found = last_rise(start_of(&rows, month), &month_days, target);
                        if found.is_some() {
                            break;
                        }
                    }
                    found
                }
            };
        }
        out.insert(figure, standing);
    }
    Ok(out)
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

/// Where a figure at or above its target last rose to it.
#[derive(Debug, PartialEq, Eq)]
enum Crossing {
    /// On this day (found among the days read).
    On(NaiveDate),
    /// In one of these months, whose days were not read, latest first: the months whose
    /// start plus their losses is below the target (every other month provably never
    /// was). The first of them where the figure rose to the target holds the day.
    In(Vec<NaiveDate>),
}

/// Finds the last rise of a figure that stands at `target` or more at the end of
/// `as_of`: in `as_of`'s month from its days, else among the earlier months that may
/// have been below the target.
fn crossing(rows: &Rows, this_month: NaiveDate, as_of: NaiveDate, target: i64) -> Crossing {
    let before: i64 = rows.months.iter().map(|(_, n, _)| n).sum();
    let current: Vec<(NaiveDate, i64)> = rows
        .days
        .iter()
        .copied()
        .filter(|(d, _)| *d >= this_month && *d <= as_of)
        .collect();
    if let Some(day) = last_rise(before, &current, target) {
        return Crossing::On(day);
    }
    let mut end = before;
    let mut candidates = Vec::new();
    for &(month, n, losses) in rows.months.iter().rev() {
        let start = end - n;
        if start + losses < target {
            candidates.push(month);
        }
        end = start;
    }
    Crossing::In(candidates)
}

/// The figure at the start of `month`: the sum of the months before it.
fn start_of(rows: &Rows, month: NaiveDate) -> i64 {
    rows.months
        .iter()
        .filter(|(m, _, _)| *m < month)
        .map(|(_, n, _)| n)
        .sum()
}

/// The last day in `days` (date order) on which the running figure, from `start`, rose
/// from below `target` to `target` or more; none when it never did.
fn last_rise(start: i64, days: &[(NaiveDate, i64)], target: i64) -> Option<NaiveDate> {
    let mut running = start;
    let mut rise = None;
    for &(day, n) in days {
        let was = running;
        running += n;
        if was < target && running >= target {
            rise = Some(day);
        }
    }
    rise
}

/// The days of one figure's month, shards summed, in date order.
async fn month_days(
    db: &impl ConnectionTrait,
    days: &str,
    programme: Uuid,
    scope: Uuid,
    figure: Figure,
    month: NaiveDate,
) -> Result<Vec<(NaiveDate, i64)>, AppError> {
    let next = month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month);
    let mut out = Vec::new();
    for row in sql::query(
        db,
        &format!(
            "SELECT day, CAST(SUM(change) AS BIGINT) AS n FROM {days} \
             WHERE programme_id = ? AND scope_id = ? AND figure = ? AND day >= ? AND day < ? \
             GROUP BY day ORDER BY day"
        ),
        vec![
            programme.into(),
            scope.into(),
            figure.spelling().into(),
            month.into(),
            next.into(),
        ],
    )
    .await?
    {
        out.push((row.try_get("", "day")?, read_int(&row, "n")?));
    }
    Ok(out)
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

    #[test]
    fn a_rise_in_the_day_s_own_month_is_read_from_its_days() {
        let rows = Rows {
            months: vec![(day(4, 1), 9, 0)],
            days: vec![(day(6, 2), -1), (day(6, 9), 2)],
        };
        // 9, then 8 on 2 June, then 10 on 9 June: reached again on 9 June.
        assert_eq!(
            crossing(&rows, day(6, 1), day(6, 15), 9),
            Crossing::On(day(6, 9))
        );
        // As of 5 June it stands at 8: no rise in June; April is the month to read.
        assert_eq!(
            crossing(&rows, day(6, 1), day(6, 5), 8),
            Crossing::In(vec![day(4, 1)])
        );
    }

    #[test]
    fn months_that_never_fell_below_the_target_are_skipped_without_reading_their_days() {
        // Target 10: 12 in January; February +5 with a fall of 1 (13 + -1 stays above);
        // March +1 with a fall of 4 (17 - 4 = 13 stays above); April -8 (18 - 8 = 10,
        // at the target, so it never went below); May +3 with a fall of 2 (10 - 2 < 10).
        let rows = Rows {
            months: vec![
                (day(1, 1), 12, 0),
                (day(2, 1), 5, -1),
                (day(3, 1), 1, -4),
                (day(4, 1), -8, -8),
                (day(5, 1), 3, -2),
            ],
            days: vec![],
        };
        assert_eq!(
            crossing(&rows, day(6, 1), day(6, 30), 10),
            Crossing::In(vec![day(5, 1), day(1, 1)])
        );
    }

    #[test]
    fn the_last_rise_is_the_day_it_last_came_up_to_the_target() {
        let days = [(day(5, 3), -2), (day(5, 8), 1), (day(5, 20), 2)];
        // From 10 with target 10: 8, 9, 11: risen on 20 May.
        assert_eq!(last_rise(10, &days, 10), Some(day(5, 20)));
        // From 12: 10, 11, 13: never below, no rise in May.
        assert_eq!(last_rise(12, &days, 10), None);
        assert_eq!(last_rise(0, &[], 1), None);
    }
}
