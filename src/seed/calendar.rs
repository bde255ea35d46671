//! The seed's clock: programme days 2023–2025 in China Standard Time, instants in
//! office hours, and the UUIDv7 ids of generated rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

/// First day of the generated period.
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2023, 1, 1) {
    Some(day) => day,
    None => panic!("2023-01-01 is a date"),
};
/// Last day of the generated period.
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 31) {
    Some(day) => day,
    None => panic!("2025-12-31 is a date"),
};

/// The instant `second` seconds after midnight of `day` in China Standard Time.
pub fn at(day: NaiveDate, second: i64) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(8) + Duration::seconds(second)
}

/// A random instant of `day` between 09:00 and 22:00 China Standard Time.
pub fn office_hours(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    at(day, rng.gen_range(9 * 3600..22 * 3600))
}

/// A uniformly random day of `from..=to`.
pub fn day_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.gen_range(0..=span))
}

/// The last instant of the generated period: later outcomes are left pending.
pub fn period_end() -> DateTime<Utc> {
    at(LAST_DAY, 24 * 3600 - 1)
}

/// Mints UUIDv7 ids in generation order: timestamps step one millisecond per id from
/// the end of the period (as if the records were imported then), random bits come from
/// the seeded generator. Ids therefore repeat with the seed and only grow, so every id
/// index is filled by appends, as in production where ids follow insertion; ids stamped
/// with each event's own instant would land all over the indexes and slow a large load.
pub struct Ids {
    next_millis: u64,
}

impl Ids {
    /// Starts at the first instant after the period.
    pub fn after_period() -> Self {
        let start = period_end() + Duration::seconds(1);
        Self {
            next_millis: u64::try_from(start.timestamp_millis()).unwrap_or_default(),
        }
    }

    /// The next id, greater than every earlier one.
    pub fn next(&mut self, rng: &mut StdRng) -> Uuid {
        let id =
            uuid::Builder::from_unix_timestamp_millis(self.next_millis, &rng.r#gen()).into_uuid();
        self.next_millis += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::programme_date;

    #[test]
    fn office_hours_stay_on_the_programme_day() {
        let mut rng = rand::SeedableRng::seed_from_u64(7);
        for day in [FIRST_DAY, LAST_DAY] {
            for _ in 0..100 {
                assert_eq!(programme_date(office_hours(&mut rng, day)), day);
            }
        }
        assert_eq!(programme_date(period_end()), LAST_DAY);
    }

    #[test]
    fn ids_are_version_7_and_grow() {
        let mut rng = rand::SeedableRng::seed_from_u64(8);
        let mut ids = Ids::after_period();
        let first = ids.next(&mut rng);
        let second = ids.next(&mut rng);
        assert_eq!(first.get_version_num(), 7);
        assert!(first < second, "{first} then {second}");
    }
}
