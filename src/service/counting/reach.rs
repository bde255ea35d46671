//! The one definition of the figures derived from a target and the day series of newly
//! certified persons: `ratio`, `reachedOn`, `projectedReachDate`.

use chrono::{Days, NaiveDate};

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
    let target_u = u64::try_from(target).unwrap_or(0);
    let since = today
        .checked_sub_days(Days::new(PROJECTION_DAYS))
        .unwrap_or(today);
    let (mut running, mut recent) = (0u64, 0u64);
    let mut reached_on = (target_u == 0).then_some(starts_on);
    for &(day, n) in days {
        running += n;
        if reached_on.is_none() && running >= target_u {
            reached_on = Some(day);
        }
        if day > since {
            recent += n;
        }
    }
    Reach {
        ratio: ratio(certified, target),
        projected_reach_date: match reached_on {
            Some(_) => None,
            None => project(today, target_u.saturating_sub(certified), recent),
        },
        reached_on,
    }
}

/// `certified / target`, 1 when the target is 0.
fn ratio(certified: u64, target: i32) -> f64 {
    if target == 0 {
        1.0
    } else {
        certified as f64 / f64::from(target)
    }
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
    fn a_target_of_zero_is_reached_at_the_start() {
        let reach = reach(0, 0, &[], day(1, 1), day(6, 1));
        assert_eq!(reach.reached_on, Some(day(1, 1)));
        assert!((reach.ratio - 1.0).abs() < 1e-9);
    }
}
