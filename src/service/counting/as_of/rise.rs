//! Where a figure at or above its target last rose to it: the months where the rise may
//! lie, from the months' losses ([`crossing`]); the day, from a month's days
//! ([`last_rise`]); and which month's days to read with the figures ([`RiseHints`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

use chrono::NaiveDate;
use sea_orm::Value;
use uuid::Uuid;

use super::read::Rows;
use crate::service::counting::day_changes::Figure;

/// Where each figure's last rise to its target was found, the last time it was searched
/// (by table of days, programme and scope): which month's days to read with the figures.
/// Only a hint: the days read are used when the months read name that month first, so a
/// stale hint costs the statement it would have saved, never a wrong figure.
pub(super) struct RiseHints(Mutex<HashMap<Scope, BTreeMap<Figure, NaiveDate>>>);

/// A scope's figures as read: the table of days, the programme and the scope.
pub(super) type Scope = (&'static str, Uuid, Uuid);

/// The scopes hinted at most; past it the hints start again from none.
const HINTED_SCOPES: usize = 4096;

pub(super) static RISE_HINTS: LazyLock<RiseHints> = LazyLock::new(|| RiseHints(Mutex::default()));

impl RiseHints {
    /// The hinted months of a scope's figures, each before `before`.
    pub(super) fn get(&self, key: Scope, before: NaiveDate) -> Vec<(Figure, NaiveDate)> {
        let hints = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        hints.get(&key).map_or_else(Vec::new, |months| {
            months
                .iter()
                .filter(|(_, month)| **month < before)
                .map(|(figure, month)| (*figure, *month))
                .collect()
        })
    }

    /// Remembers the month where a figure of a scope last rose to its target.
    pub(super) fn set(&self, key: Scope, figure: Figure, month: NaiveDate) {
        let mut hints = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if hints.len() >= HINTED_SCOPES && !hints.contains_key(&key) {
            hints.clear();
        }
        hints.entry(key).or_default().insert(figure, month);
    }
}

/// The condition that selects each figure's days of its month in `asked` (its bound
/// values added to `values`): `(figure = ? AND day >= ? AND day < ?) OR ...`.
pub(super) fn month_ranges(asked: &[(Figure, NaiveDate)], values: &mut Vec<Value>) -> String {
    let mut ranges = Vec::with_capacity(asked.len());
    for (figure, month) in asked {
        ranges.push("(figure = ? AND day >= ? AND day < ?)");
        values.extend([
            figure.spelling().into(),
            (*month).into(),
            next_month(*month).into(),
        ]);
    }
    ranges.join(" OR ")
}

/// The first day of the month after `month`'s.
pub(super) fn next_month(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month)
}

/// Where a figure at or above its target last rose to it.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Crossing {
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
pub(super) fn crossing(
    rows: &Rows,
    this_month: NaiveDate,
    as_of: NaiveDate,
    target: i64,
) -> Crossing {
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
pub(super) fn start_of(rows: &Rows, month: NaiveDate) -> i64 {
    rows.months
        .iter()
        .filter(|(m, _, _)| *m < month)
        .map(|(_, n, _)| n)
        .sum()
}

/// The last day in `days` (date order) on which the running figure, from `start`, rose
/// from below `target` to `target` or more; none when it never did.
pub(super) fn last_rise(start: i64, days: &[(NaiveDate, i64)], target: i64) -> Option<NaiveDate> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
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
