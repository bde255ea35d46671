//! The assessment date (考核日期) of a result: the day the counts date a completion and
//! its certificate by.

use chrono::{Days, NaiveDate};

use super::ValidationError;

/// How far back a result may be dated: a year covers any late entry of a real exam.
pub const MAX_DAYS_BACK: u64 = 365;

/// The day of an exam: not after `today`, not before the course started (when it has a
/// start date), at most [`MAX_DAYS_BACK`] days ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AssessedOn(NaiveDate);

impl AssessedOn {
    /// Accepts `raw` (or `today` when absent) for a course starting on `starts_on`;
    /// `today` is the programme date (China Standard Time).
    pub fn parse(
        raw: Option<NaiveDate>,
        today: NaiveDate,
        starts_on: Option<NaiveDate>,
    ) -> Result<Self, ValidationError> {
        let day = raw.unwrap_or(today);
        if day > today {
            return Err(ValidationError::InvalidFormat("must not be in the future"));
        }
        if starts_on.is_some_and(|start| day < start) {
            return Err(ValidationError::InvalidFormat(
                "must not be before the course starts",
            ));
        }
        if today
            .checked_sub_days(Days::new(MAX_DAYS_BACK))
            .is_some_and(|earliest| day < earliest)
        {
            return Err(ValidationError::InvalidFormat(
                "must be at most 365 days ago",
            ));
        }
        Ok(Self(day))
    }

    /// The day.
    pub fn get(self) -> NaiveDate {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const TODAY: &str = "2026-01-05";

    #[test]
    fn an_absent_date_is_today() {
        let parsed = AssessedOn::parse(None, day(TODAY), None).unwrap();
        assert_eq!(parsed.get(), day(TODAY));
    }

    #[test]
    fn an_exam_in_the_last_days_of_the_previous_year_is_accepted() {
        let parsed = AssessedOn::parse(Some(day("2025-12-30")), day(TODAY), None).unwrap();
        assert_eq!(parsed.get(), day("2025-12-30"));
    }

    #[test]
    fn a_date_in_the_future_is_rejected() {
        let err = AssessedOn::parse(Some(day("2026-01-06")), day(TODAY), None).unwrap_err();
        assert_eq!(err.to_string(), "must not be in the future");
    }

    #[test]
    fn a_date_before_the_course_starts_is_rejected_and_its_first_day_is_accepted() {
        let starts = Some(day("2025-12-01"));
        let err = AssessedOn::parse(Some(day("2025-11-30")), day(TODAY), starts).unwrap_err();
        assert_eq!(err.to_string(), "must not be before the course starts");
        assert!(AssessedOn::parse(Some(day("2025-12-01")), day(TODAY), starts).is_ok());
    }

    #[test]
    fn a_date_more_than_365_days_back_is_rejected_and_365_is_accepted() {
        assert!(AssessedOn::parse(Some(day("2025-01-05")), day(TODAY), None).is_ok());
        let err = AssessedOn::parse(Some(day("2025-01-04")), day(TODAY), None).unwrap_err();
        assert_eq!(err.to_string(), "must be at most 365 days ago");
    }

    #[test]
    fn today_is_refused_for_a_course_that_has_not_started() {
        let starts = Some(day("2026-02-01"));
        assert!(AssessedOn::parse(None, day(TODAY), starts).is_err());
    }
}
