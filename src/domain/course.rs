//! Bounded numbers, titles and date spans of courses and programmes.

use chrono::NaiveDate;

use super::ValidationError;
use super::person::is_control_or_invisible;

/// Checks an inclusive range, reporting the bounds and the value.
fn in_range(value: i32, min: i32, max: i32) -> Result<i32, ValidationError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ValidationError::OutOfRange {
            min: min.into(),
            max: max.into(),
            value: value.into(),
        })
    }
}

/// Vocational skill level 1..=5 of the national vocational skill standard, where 5
/// is the entry level and 1 the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CourseLevel(u8);

impl CourseLevel {
    /// Accepts 1..=5.
    pub fn parse(raw: i32) -> Result<Self, ValidationError> {
        u8::try_from(raw)
            .ok()
            .filter(|level| (1..=5).contains(level))
            .map(Self)
            .ok_or(ValidationError::OutOfRange {
                min: 1,
                max: 5,
                value: raw.into(),
            })
    }

    /// The level number.
    pub fn get(&self) -> u8 {
        self.0
    }
}

/// Course hours, 1..=10,000: a course has some teaching, and the bound catches typos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hours(i32);

impl Hours {
    /// Accepts 1..=10,000.
    pub fn parse(raw: i32) -> Result<Self, ValidationError> {
        in_range(raw, 1, 10_000).map(Self)
    }

    /// The number of hours.
    pub fn get(&self) -> i32 {
        self.0
    }
}

/// Seats of a course, 1..=100,000; enrolment never exceeds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Capacity(i32);

impl Capacity {
    /// Accepts 1..=100,000.
    pub fn parse(raw: i32) -> Result<Self, ValidationError> {
        in_range(raw, 1, 100_000).map(Self)
    }

    /// The number of seats.
    pub fn get(&self) -> i32 {
        self.0
    }
}

/// A programme's target number of certified persons on one track, 0..=100,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetCount(i32);

impl TargetCount {
    /// Accepts 0..=100,000,000; 0 means no target on that track.
    pub fn parse(raw: i32) -> Result<Self, ValidationError> {
        in_range(raw, 0, 100_000_000).map(Self)
    }

    /// The target number of persons.
    pub fn get(&self) -> i32 {
        self.0
    }
}

/// Free text shown to people (course titles, institution and programme names,
/// revocation reasons): 1..=200 characters without control or bidi characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);

impl Title {
    /// Longest accepted title, in characters.
    const MAX: usize = 200;

    /// Trims and checks length and characters.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(ValidationError::Empty);
        }
        if title.chars().count() > Self::MAX {
            return Err(ValidationError::TooLong { max: Self::MAX });
        }
        if title.chars().any(is_control_or_invisible) {
            return Err(ValidationError::InvalidCharacters);
        }
        Ok(Self(title.to_owned()))
    }

    /// The trimmed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional start and end dates (inclusive) of a course or programme; either may be
/// open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateSpan {
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
}

impl DateSpan {
    /// Rejects a start after the end; a one-day span (start = end) is valid.
    pub fn parse(
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    ) -> Result<Self, ValidationError> {
        match (starts_on, ends_on) {
            (Some(start), Some(end)) if start > end => Err(ValidationError::DateRange),
            _ => Ok(Self { starts_on, ends_on }),
        }
    }

    /// The first day, if set.
    pub fn starts_on(&self) -> Option<NaiveDate> {
        self.starts_on
    }

    /// The last day, if set.
    pub fn ends_on(&self) -> Option<NaiveDate> {
        self.ends_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out_of_range(min: i64, max: i64, value: i64) -> ValidationError {
        ValidationError::OutOfRange { min, max, value }
    }

    #[test]
    fn course_levels_1_to_5_are_accepted() {
        for level in 1..=5 {
            let parsed = CourseLevel::parse(level).map(|l| i32::from(l.get()));
            assert_eq!(parsed, Ok(level), "level {level}");
        }
    }

    #[test]
    fn course_levels_outside_1_to_5_are_rejected() {
        for level in [0, 6, -1, i32::MIN, i32::MAX] {
            assert_eq!(
                CourseLevel::parse(level),
                Err(out_of_range(1, 5, level.into())),
                "level {level}"
            );
        }
    }

    #[test]
    fn hours_must_be_between_1_and_10000() {
        assert_eq!(Hours::parse(1).map(|h| h.get()), Ok(1));
        assert_eq!(Hours::parse(10_000).map(|h| h.get()), Ok(10_000));
        for hours in [0, -8, 10_001] {
            assert_eq!(
                Hours::parse(hours),
                Err(out_of_range(1, 10_000, hours.into())),
                "{hours} hours"
            );
        }
    }

    #[test]
    fn capacity_must_be_between_1_and_100000() {
        assert_eq!(Capacity::parse(30).map(|c| c.get()), Ok(30));
        for seats in [0, 100_001] {
            assert_eq!(
                Capacity::parse(seats),
                Err(out_of_range(1, 100_000, seats.into())),
                "{seats} seats"
            );
        }
    }

    #[test]
    fn a_target_of_zero_is_accepted_and_a_negative_one_rejected() {
        assert_eq!(TargetCount::parse(0).map(|t| t.get()), Ok(0));
        assert_eq!(TargetCount::parse(10_000).map(|t| t.get()), Ok(10_000));
        for target in [-1, 100_000_001] {
            assert_eq!(
                TargetCount::parse(target),
                Err(out_of_range(0, 100_000_000, target.into())),
                "target {target}"
            );
        }
    }

    #[test]
    fn a_title_is_trimmed() {
        let title = Title::parse("  直播带货主播（五级）\n").expect("valid");
        assert_eq!(title.as_str(), "直播带货主播（五级）");
    }

    #[test]
    fn a_title_over_200_characters_is_rejected_counting_characters() {
        assert!(Title::parse(&"课".repeat(200)).is_ok(), "200 characters");
        assert_eq!(
            Title::parse(&"课".repeat(201)),
            Err(ValidationError::TooLong { max: 200 })
        );
    }

    #[test]
    fn invalid_titles_are_rejected() {
        let cases = [
            ("", ValidationError::Empty, "empty"),
            ("  \n ", ValidationError::Empty, "blank"),
            ("a\nb", ValidationError::InvalidCharacters, "inner newline"),
            ("a\u{7}b", ValidationError::InvalidCharacters, "bell"),
            (
                "abc\u{202E}def",
                ValidationError::InvalidCharacters,
                "bidi override",
            ),
        ];
        for (raw, expected, why) in cases {
            assert_eq!(Title::parse(raw), Err(expected), "{why}");
        }
    }

    #[test]
    fn a_span_with_start_after_end_is_rejected() {
        let start = NaiveDate::from_ymd_opt(2025, 3, 2);
        let end = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert_eq!(DateSpan::parse(start, end), Err(ValidationError::DateRange));
    }

    #[test]
    fn one_day_and_open_spans_are_accepted() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1);
        for (start, end) in [(day, day), (day, None), (None, day), (None, None)] {
            let span = DateSpan::parse(start, end).expect("valid span");
            assert_eq!((span.starts_on(), span.ends_on()), (start, end));
        }
    }
}
