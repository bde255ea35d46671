//! The one definition of the figures derived from a target and the day series of newly
//! certified persons: `ratio`, `reachedOn`, `projectedReachDate`, and of every goal's
//! `requiredPerMonth` and `onTrack`.

use chrono::{Datelike, Days, NaiveDate};

use super::as_of::Standing;

/// Window of the reach-date projection.
pub const PROJECTION_DAYS: u64 = 90;

/// What a track's target and day series say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// `certified / target` (1 when the target is 0).
    pub ratio: f64,
    /// The day the target was met: the day the running total of newly certified persons
    /// reached it (the programme's start for a target of 0).
    pub reached_on: Option<NaiveDate>,
    /// When the target will be met at the rate of the last 90 days; null when that rate
    /// is 0 or the target is reached.
    pub projected_reach_date: Option<NaiveDate>,
}

/// The reach of `target` from `certified` persons and `days`, the newly certified persons
/// per day in date order, as of `today`.
pub fn reach(
    target: i32,
    certified: u64,
    days: &[(NaiveDate, u64)],
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Reach {
    reach_of(
        u64::try_from(target).unwrap_or(0),
        certified,
        days,
        starts_on,
        today,
    )
}

/// The same for any goal counted in whole units (persons, organisations, fen):
/// `achieved` now and its increments per day in date order.
pub fn reach_of(
    target: u64,
    achieved: u64,
    days: &[(NaiveDate, u64)],
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Reach {
    let since = window_start(today);
    let (mut running, mut recent) = (0u64, 0u64);
    let mut reached_on = (target == 0).then_some(starts_on);
    for &(day, n) in days {
        running += n;
        if reached_on.is_none() && running >= target {
            reached_on = Some(day);
        }
        if day > since {
            recent += n;
        }
    }
    Reach {
        ratio: ratio(achieved, target),
        projected_reach_date: match reached_on {
            Some(_) => None,
            None => project(today, target.saturating_sub(achieved), recent),
        },
        reached_on,
    }
}

/// The reach of a `target` met on `day` (the first on which the running sum of its
/// increments reached it), with `achieved` now: what [`reach_of`] gives for a series whose
/// running sum first reaches the target on `day`.
pub fn met(target: u64, achieved: u64, day: NaiveDate) -> Reach {
    Reach {
        ratio: ratio(achieved, target),
        reached_on: Some(day),
        projected_reach_date: None,
    }
}

/// The day the [`PROJECTION_DAYS`] window ending on `day` starts after: what changed
/// after it is the recent rate.
pub fn window_start(day: NaiveDate) -> NaiveDate {
    day.checked_sub_days(Days::new(PROJECTION_DAYS))
        .unwrap_or(day)
}

/// The reach of `target` as it stood at the end of `as_of`, from where the figure stood
/// then (its changes up to that day, negative ones included: revocations, withdrawals):
/// reached on the first day since which it has stayed at or above the target;
/// projected at its net change over the last 90 days. Returns the figure and its reach.
pub fn as_of(
    target: u64,
    standing: &Standing,
    starts_on: NaiveDate,
    as_of: NaiveDate,
) -> (u64, Reach) {
    let achieved = u64::try_from(standing.total).unwrap_or(0);
    let reached_on = if target == 0 {
        Some(starts_on)
    } else if achieved >= target {
        standing.crossed
    } else {
        None
    };
    let projected_reach_date = match reached_on {
        Some(_) => None,
        None => project(
            as_of,
            target.saturating_sub(achieved),
            u64::try_from(standing.recent).unwrap_or(0),
        ),
    };
    (
        achieved,
        Reach {
            ratio: ratio(achieved, target),
            reached_on,
            projected_reach_date,
        },
    )
}

/// `achieved / target`, 1 when the target is 0.
fn ratio(achieved: u64, target: u64) -> f64 {
    if target == 0 {
        1.0
    } else {
        achieved as f64 / target as f64
    }
}

/// What is left per month to reach `target` from `achieved` by `ends_on`: the rest
/// divided by the calendar months left, the current one included (counted from the
/// start month before the programme starts); null once reached or after `ends_on`.
pub fn required_per_month(
    target: f64,
    achieved: f64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> Option<f64> {
    if achieved >= target || today > ends_on {
        return None;
    }
    let from = today.max(starts_on);
    let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let months = index(ends_on) - index(from) + 1;
    Some((target - achieved) / months.max(1) as f64)
}

/// On track: reached, or projected to be reached by `ends_on`.
pub fn on_track(reach: &Reach, ends_on: NaiveDate) -> bool {
    reach.reached_on.is_some() || reach.projected_reach_date.is_some_and(|d| d <= ends_on)
}

/// Linear projection: `remaining` persons at `recent` persons per 90 days.
fn project(today: NaiveDate, remaining: u64, recent: u64) -> Option<NaiveDate> {
    if recent == 0 || remaining == 0 {
        return None;
    }
    let days = (remaining * PROJECTION_DAYS).div_ceil(recent);
    today.checked_add_days(Days::new(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    #[test]
    fn as_of_a_day_the_target_is_reached_on_the_last_day_the_figure_rose_to_it() {
        // 2 on 1 March, one revoked on 1 April, met again on 1 May (the day it crossed).
        let standing = |total, recent, crossed| Standing {
            total,
            recent,
            crossed,
        };
        let (n, reach) = as_of(2, &standing(2, 2, Some(day(5, 1))), day(1, 1), day(5, 15));
        assert_eq!(
            (n, reach.reached_on, reach.ratio),
            (2, Some(day(5, 1)), 1.0)
        );
        // Below the target, an old crossing is no reach: the net change of the last 90
        // days is +1, so the one remaining takes 90 days.
        let (n, reach) = as_of(2, &standing(1, 1, Some(day(3, 1))), day(1, 1), day(4, 15));
        assert_eq!((n, reach.reached_on), (1, None));
        assert_eq!(reach.projected_reach_date, Some(day(7, 14)));
        // A net loss over the window projects nothing.
        let (_, reach) = as_of(2, &standing(1, -1, None), day(1, 1), day(4, 15));
        assert_eq!(reach.projected_reach_date, None);
        // A target of 0 is reached at the start, whatever the figure.
        let (_, reach) = as_of(0, &standing(0, 0, None), day(1, 1), day(4, 15));
        assert_eq!(reach.reached_on, Some(day(1, 1)));
    }

    #[test]
    fn the_projection_is_linear_in_the_recent_rate() {
        let today = day(1, 1);
        // 90 persons in 90 days: one a day, so 10 remaining take 10 days.
        assert_eq!(project(today, 10, 90), Some(day(1, 11)));
        assert_eq!(project(today, 10, 0), None);
        assert_eq!(project(today, 0, 5), None);
    }

    #[test]
    fn the_target_is_reached_on_the_day_the_running_total_meets_it() {
        let days = [(day(3, 1), 2), (day(3, 5), 1), (day(3, 9), 4)];
        let reach = reach(3, 7, &days, day(1, 1), day(4, 1));
        assert_eq!(reach.reached_on, Some(day(3, 5)));
        assert_eq!(reach.projected_reach_date, None);
        assert!((reach.ratio - 7.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn only_the_last_90_days_drive_the_projection() {
        // 9 persons long ago, 9 within the window: 9 remaining take 90 days.
        let days = [(day(1, 2), 9), (day(5, 1), 9)];
        let reach = reach(27, 18, &days, day(1, 1), day(6, 1));
        assert_eq!(reach.reached_on, None);
        assert_eq!(
            reach.projected_reach_date,
            day(6, 1).checked_add_days(Days::new(90))
        );
    }

    #[test]
    fn what_is_left_is_spread_over_the_months_left_including_this_one() {
        // 2025-10-15 to 2025-12-31: October, November, December.
        let left = required_per_month(100.0, 40.0, day(1, 1), day(12, 31), day(10, 15));
        assert_eq!(left, Some(20.0));
        assert_eq!(
            required_per_month(100.0, 100.0, day(1, 1), day(12, 31), day(10, 15)),
            None
        );
        let after = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(
            required_per_month(100.0, 0.0, day(1, 1), day(12, 31), after),
            None
        );
    }

    #[test]
    fn a_goal_is_on_track_when_reached_or_projected_by_its_end() {
        let reached = reach(1, 1, &[(day(2, 1), 1)], day(1, 1), day(3, 1));
        assert!(on_track(&reached, day(2, 2)));
        let late = reach(100, 9, &[(day(3, 1), 9)], day(1, 1), day(3, 2));
        assert!(late.projected_reach_date.is_some_and(|d| d > day(12, 31)));
        assert!(!on_track(&late, day(12, 31)));
    }

    #[test]
    fn a_target_of_zero_is_reached_at_the_start() {
        let reach = reach(0, 0, &[], day(1, 1), day(6, 1));
        assert_eq!(reach.reached_on, Some(day(1, 1)));
        assert!((reach.ratio - 1.0).abs() < 1e-9);
    }
}
