//! Certificate numbers, scores and the programme calendar.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Utc};

use super::{NationalNumber, Track, ValidationError};

/// Crockford base32: no I, L, O, U, so a number read aloud or retyped stays unambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters in a number: 50 bits, so valid numbers cannot be guessed from others.
const RANDOM_CHARS: usize = 10;

/// A certificate number such as `H2025-7KQ2M-9XDPA`: track letter, issue year, then ten
/// random Crockford base32 characters in two groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateNumber(String);

impl CertificateNumber {
    /// A new number for `track` issued in `year`, from 64 random bits.
    pub fn generate(track: Track, year: i32, random: u64) -> Self {
        let letter = match track {
            Track::Host => 'H',
            Track::Professional => 'P',
        };
        let chars: String = (0..RANDOM_CHARS)
            .map(|i| ALPHABET[((random >> (5 * i)) & 31) as usize] as char)
            .collect();
        Self(format!("{letter}{year:04}-{}-{}", &chars[..5], &chars[5..]))
    }

    /// Parses a number typed by a person: case-insensitive, surrounding spaces ignored.
    /// A national credential's 22-character national number is its number too.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let normalized = raw.trim().to_ascii_uppercase();
        let bytes = normalized.as_bytes();
        let shape_ok = bytes.len() == 17
            && matches!(bytes[0], b'H' | b'P')
            && bytes[1..5].iter().all(u8::is_ascii_digit)
            && bytes[5] == b'-'
            && bytes[11] == b'-'
            && bytes[6..11]
                .iter()
                .chain(&bytes[12..])
                .all(|b| ALPHABET.contains(b));
        if shape_ok {
            Ok(Self(normalized))
        } else if let Ok(national) = NationalNumber::shape(raw) {
            Ok(Self(national.as_str().to_owned()))
        } else {
            Err(ValidationError::InvalidFormat(
                "must look like H2025-7KQ2M-9XDPA, or be a national number: Y or S then 21 digits",
            ))
        }
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A course score, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score(i32);

impl Score {
    /// Accepts 0..=100.
    pub fn parse(raw: i32) -> Result<Self, ValidationError> {
        if (0..=100).contains(&raw) {
            Ok(Self(raw))
        } else {
            Err(ValidationError::OutOfRange {
                min: 0,
                max: 100,
                value: i64::from(raw),
            })
        }
    }

    /// The score.
    pub fn get(&self) -> i32 {
        self.0
    }
}

/// The programme's calendar is China Standard Time (UTC+8, no daylight saving): a
/// certificate issued at 20:00 UTC on 31 December counts on 1 January.
pub fn programme_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The programme date of an instant.
pub fn programme_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&programme_offset()).date_naive()
}

/// `YYYY-MM` of a date, the key of monthly breakdowns.
pub fn month_of(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_number_parses_back() {
        for random in [0, u64::MAX, 0x0123_4567_89ab_cdef] {
            let number = CertificateNumber::generate(Track::Professional, 2025, random);
            assert_eq!(CertificateNumber::parse(number.as_str()), Ok(number));
        }
    }

    #[test]
    fn numbers_are_read_case_insensitively() {
        let number = CertificateNumber::generate(Track::Host, 2024, 42);
        let typed = format!("  {}  ", number.as_str().to_lowercase());
        assert_eq!(CertificateNumber::parse(&typed), Ok(number));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "H2025-7KQ2M-9XDP",
            "X2025-7KQ2M-9XDPA",
            "H2025-7KQ2M-9XDPI",
            "H2025_7KQ2M-9XDPA",
        ] {
            assert!(
                CertificateNumber::parse(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn a_score_above_100_is_refused() {
        assert!(Score::parse(101).is_err());
        assert!(Score::parse(-1).is_err());
        assert_eq!(Score::parse(100).map(|s| s.get()), Ok(100));
    }

    #[test]
    fn late_evening_utc_is_the_next_programme_day() {
        let at = DateTime::parse_from_rfc3339("2025-12-31T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            programme_date(at),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        assert_eq!(month_of(programme_date(at)), "2026-01");
    }
}
