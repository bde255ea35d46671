//! The seed's clock: programme days 2023–2025 in China Standard Time, instants in
//! office hours, and UUIDv7 ids stamped with the instant they describe.

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

/// A UUIDv7 carrying `instant` and random bits from the seeded generator, so ids are
/// reproducible and sort like the events they name.
pub fn uuid_at(rng: &mut StdRng, instant: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(instant.timestamp_millis()).unwrap_or_default();
    uuid::Builder::from_unix_timestamp_millis(millis, &rng.r#gen()).into_uuid()
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
    fn ids_carry_the_instant() {
        let mut rng = rand::SeedableRng::seed_from_u64(8);
        let instant = at(FIRST_DAY, 3600);
        let id = uuid_at(&mut rng, instant);
        assert_eq!(id.get_version_num(), 7);
        let (secs, _) = id.get_timestamp().expect("v7 timestamp").to_unix();
        assert_eq!(i64::try_from(secs).ok(), Some(instant.timestamp()));
    }
}
