//! Identity documents: per-type format rules, normalization for hashing, masking.

use std::fmt;

use chrono::{NaiveDate, Utc};

use super::{IdType, ValidationError};

/// Check-character standard of GB 11643 resident IDs and 2023 permanent resident IDs.
const MOD_11_2: &str = "ISO 7064 MOD 11-2";
const MOD_11_2_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const MOD_11_2_CHECK: &[u8; 11] = b"10X98765432";

/// A person's identity document, validated per type.
///
/// The number is personal data: it is stored only as a keyed hash of
/// [`IdDocument::number`] plus [`IdDocument::masked`], and `Debug` prints the
/// masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdDocument {
    id_type: IdType,
    number: String,
}

impl IdDocument {
    /// Normalizes (trim, drop spaces, uppercase) and checks the type's format rule.
    pub fn parse(id_type: IdType, raw: &str) -> Result<Self, ValidationError> {
        let number: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if number.is_empty() {
            return Err(ValidationError::Empty);
        }
        match id_type {
            IdType::ResidentId => check_resident_id(&number)?,
            IdType::Passport => check_passport(&number)?,
            IdType::HkMacaoPermit => check_hk_macao_permit(&number)?,
            IdType::TaiwanPermit => check_taiwan_permit(&number)?,
            IdType::ForeignPermanentResidentId => check_permanent_resident_id(&number)?,
        }
        Ok(Self { id_type, number })
    }

    /// The document type.
    pub fn id_type(&self) -> IdType {
        self.id_type
    }

    /// The normalized number, the input of the keyed lookup hash; never display it.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The birth date embedded in a resident ID (GB 11643 characters 7–14).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        match self.id_type {
            IdType::ResidentId => embedded_birth_date(&self.number),
            _ => None,
        }
    }

    /// Display form: resident IDs keep the region and sequence (`440301********123X`),
    /// other documents their first and last two characters.
    pub fn masked(&self) -> String {
        let (head, tail) = match self.id_type {
            IdType::ResidentId => (6, 4),
            _ => (2, 2),
        };
        mask(&self.number, head, tail)
    }
}

impl fmt::Debug for IdDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdDocument")
            .field("id_type", &self.id_type)
            .field("number", &self.masked())
            .finish()
    }
}

/// Keeps `head` and `tail` characters and stars everything between.
fn mask(number: &str, head: usize, tail: usize) -> String {
    let len = number.chars().count();
    let keep_tail_from = len.saturating_sub(tail).max(head);
    number
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= keep_tail_from {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The ISO 7064 MOD 11-2 check character over 17 ASCII digits.
fn mod_11_2_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(MOD_11_2_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    MOD_11_2_CHECK[(sum % 11) as usize]
}

/// Shape shared by resident IDs and 2023 permanent resident IDs:
/// 17 digits then a digit or `X`.
fn is_17_digits_and_check(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X')
}

fn check_mod_11_2(number: &str) -> Result<(), ValidationError> {
    let bytes = number.as_bytes();
    if mod_11_2_check(&bytes[..17]) == bytes[17] {
        Ok(())
    } else {
        Err(ValidationError::CheckCharacterMismatch { standard: MOD_11_2 })
    }
}

fn check_resident_id(number: &str) -> Result<(), ValidationError> {
    if number.chars().count() != 18 {
        return Err(ValidationError::InvalidFormat("must be 18 characters"));
    }
    if !is_17_digits_and_check(number) {
        return Err(ValidationError::InvalidFormat(
            "must be 17 digits followed by a digit or X",
        ));
    }
    if number.starts_with('0') {
        return Err(ValidationError::InvalidFormat("must not start with 0"));
    }
    if embedded_birth_date(number).is_none() {
        return Err(ValidationError::InvalidBirthDate);
    }
    check_mod_11_2(number)
}

/// Characters 7–14 as a date from 1900 up to today, or `None`.
fn embedded_birth_date(number: &str) -> Option<NaiveDate> {
    let digits = number.get(6..14)?;
    let year = digits.get(0..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    (year >= 1900 && date <= Utc::now().date_naive()).then_some(date)
}

fn check_passport(number: &str) -> Result<(), ValidationError> {
    if !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ValidationError::InvalidCharacters);
    }
    match number.len() {
        0..5 => Err(ValidationError::TooShort { min: 5 }),
        5..=20 => Ok(()),
        _ => Err(ValidationError::TooLong { max: 20 }),
    }
}

fn is_8_or_10_digits(digits: &str) -> bool {
    matches!(digits.len(), 8 | 10) && digits.bytes().all(|b| b.is_ascii_digit())
}

fn check_hk_macao_permit(number: &str) -> Result<(), ValidationError> {
    match number.strip_prefix(['H', 'M']) {
        Some(digits) if is_8_or_10_digits(digits) => Ok(()),
        _ => Err(ValidationError::InvalidFormat(
            "must be H or M followed by 8 or 10 digits",
        )),
    }
}

fn check_taiwan_permit(number: &str) -> Result<(), ValidationError> {
    if is_8_or_10_digits(number) {
        Ok(())
    } else {
        Err(ValidationError::InvalidFormat("must be 8 or 10 digits"))
    }
}

/// 2017 format: 3 letters (issuing country) + 12 digits;
/// 2023 format: 18 characters starting with 9, MOD 11-2 check like resident IDs.
fn check_permanent_resident_id(number: &str) -> Result<(), ValidationError> {
    let bytes = number.as_bytes();
    if bytes.len() == 15
        && bytes[..3].iter().all(u8::is_ascii_uppercase)
        && bytes[3..].iter().all(u8::is_ascii_digit)
    {
        return Ok(());
    }
    if number.starts_with('9') && is_17_digits_and_check(number) {
        return check_mod_11_2(number);
    }
    Err(ValidationError::InvalidFormat(
        "must be 3 letters and 12 digits, or 18 characters starting with 9",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A syntactically valid number with a computed check character, not a real person's.
    fn with_check(first_17: &str) -> String {
        let check = char::from(mod_11_2_check(first_17.as_bytes()));
        format!("{first_17}{check}")
    }

    fn resident(raw: &str) -> Result<IdDocument, ValidationError> {
        IdDocument::parse(IdType::ResidentId, raw)
    }

    #[test]
    fn a_resident_id_with_a_computed_check_digit_is_accepted() {
        let number = with_check("44030119900307123");
        let document = resident(&number).expect("valid resident id");
        assert_eq!(document.number(), number);
        assert_eq!(document.id_type(), IdType::ResidentId);
    }

    #[test]
    fn a_resident_id_with_check_character_x_is_accepted_and_lowercase_x_normalized() {
        // Birth date 1990-03-05 with sequence 123 yields check character X.
        let number = with_check("44030119900305123");
        assert!(number.ends_with('X'), "fixture must end with X: {number}");
        let lower = number.to_lowercase();
        let document = resident(&lower).expect("lowercase x is accepted");
        assert_eq!(document.number(), number);
    }

    #[test]
    fn surrounding_and_internal_spaces_are_removed() {
        let number = with_check("44030119900307123");
        let spaced = format!(" {} {} {} ", &number[..6], &number[6..14], &number[14..]);
        let document = resident(&spaced).expect("spaces are removed");
        assert_eq!(document.number(), number);
    }

    #[test]
    fn a_17_char_id_number_is_rejected() {
        assert_eq!(
            resident("44030119900307123"),
            Err(ValidationError::InvalidFormat("must be 18 characters"))
        );
    }

    #[test]
    fn a_blank_id_number_is_rejected_as_empty() {
        assert_eq!(resident("   "), Err(ValidationError::Empty));
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        let number = with_check("44030119900307123");
        let last = number.as_bytes()[17];
        let wrong = if last == b'0' { '1' } else { '0' };
        let tampered = format!("{}{wrong}", &number[..17]);
        assert_eq!(
            resident(&tampered),
            Err(ValidationError::CheckCharacterMismatch { standard: MOD_11_2 })
        );
    }

    #[test]
    fn malformed_resident_ids_are_rejected() {
        let cases = [
            ("4403011990030712A4", "a letter among the first 17"),
            (
                "44030119900307123Y",
                "a check character other than a digit or X",
            ),
            ("４40301199003071234", "a full-width digit"),
        ];
        for (raw, why) in cases {
            assert!(
                matches!(resident(raw), Err(ValidationError::InvalidFormat(_))),
                "{why}: {raw} should be rejected as a format error"
            );
        }
    }

    #[test]
    fn a_resident_id_starting_with_0_is_rejected() {
        assert_eq!(
            resident(&with_check("04030119900307123")),
            Err(ValidationError::InvalidFormat("must not start with 0"))
        );
    }

    #[test]
    fn an_impossible_or_out_of_range_birth_date_is_rejected() {
        let tomorrow = Utc::now().date_naive() + chrono::Days::new(1);
        let future = format!("440301{}123", tomorrow.format("%Y%m%d"));
        let cases = [
            ("44030119900230123".to_owned(), "30 February"),
            ("44030119901301123".to_owned(), "month 13"),
            ("44030118991231123".to_owned(), "before 1900"),
            (future, "after today"),
        ];
        for (first_17, why) in cases {
            assert_eq!(
                resident(&with_check(&first_17)),
                Err(ValidationError::InvalidBirthDate),
                "{why} should be rejected"
            );
        }
    }

    #[test]
    fn the_birth_date_of_a_resident_id_is_exposed() {
        let document = resident(&with_check("44030119900307123")).expect("valid");
        assert_eq!(document.birth_date(), NaiveDate::from_ymd_opt(1990, 3, 7));
        let passport = IdDocument::parse(IdType::Passport, "E12345678").expect("valid");
        assert_eq!(passport.birth_date(), None);
    }

    #[test]
    fn a_valid_resident_id_is_masked_with_8_stars() {
        let document = resident(&with_check("44030119900305123")).expect("valid");
        assert_eq!(document.masked(), "440301********123X");
    }

    #[test]
    fn debug_output_shows_only_the_masked_number() {
        let document = resident(&with_check("44030119900305123")).expect("valid");
        let debug = format!("{document:?}");
        assert!(debug.contains("440301********123X"), "{debug}");
        assert!(!debug.contains("19900305"), "{debug}");
    }

    #[test]
    fn a_passport_number_is_normalized_and_masked_keeping_2_and_2() {
        let document = IdDocument::parse(IdType::Passport, " e1234 5678 ").expect("valid");
        assert_eq!(document.number(), "E12345678");
        assert_eq!(document.masked(), "E1*****78");
    }

    #[test]
    fn passport_numbers_outside_5_to_20_letters_or_digits_are_rejected() {
        let cases = [
            ("E123", ValidationError::TooShort { min: 5 }),
            (
                "E12345678901234567890",
                ValidationError::TooLong { max: 20 },
            ),
            ("E1234-5678", ValidationError::InvalidCharacters),
            ("护照12345", ValidationError::InvalidCharacters),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                IdDocument::parse(IdType::Passport, raw),
                Err(expected),
                "{raw}"
            );
        }
    }

    #[test]
    fn hk_macao_permits_are_h_or_m_and_8_or_10_digits() {
        for good in ["H12345678", "m1234567890"] {
            assert!(
                IdDocument::parse(IdType::HkMacaoPermit, good).is_ok(),
                "{good} should be accepted"
            );
        }
        for bad in [
            "12345678",
            "K12345678",
            "H1234567",
            "H123456789",
            "H12345678X",
        ] {
            assert!(
                matches!(
                    IdDocument::parse(IdType::HkMacaoPermit, bad),
                    Err(ValidationError::InvalidFormat(_))
                ),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn taiwan_permits_are_8_or_10_digits() {
        for good in ["12345678", "1234567890"] {
            assert!(
                IdDocument::parse(IdType::TaiwanPermit, good).is_ok(),
                "{good} should be accepted"
            );
        }
        for bad in ["1234567", "123456789", "T12345678", "12345678901"] {
            assert!(
                matches!(
                    IdDocument::parse(IdType::TaiwanPermit, bad),
                    Err(ValidationError::InvalidFormat(_))
                ),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn permanent_resident_ids_of_2017_and_2023_formats_are_accepted() {
        let permit = |raw: &str| IdDocument::parse(IdType::ForeignPermanentResidentId, raw);
        let old = permit("usa440301900307").expect("2017 format");
        assert_eq!(old.number(), "USA440301900307");
        assert_eq!(old.masked(), "US***********07");
        let new = with_check("93384419900307123");
        assert!(permit(&new).is_ok(), "2023 format {new}");
    }

    #[test]
    fn malformed_permanent_resident_ids_are_rejected() {
        let permit = |raw: &str| IdDocument::parse(IdType::ForeignPermanentResidentId, raw);
        let new = with_check("93384419900307123");
        let wrong_check = format!("{}{}", &new[..17], if new.ends_with('0') { 1 } else { 0 });
        assert_eq!(
            permit(&wrong_check),
            Err(ValidationError::CheckCharacterMismatch { standard: MOD_11_2 }),
            "2023 format with a wrong check character"
        );
        let cases = [
            ("US4403019003071", "2 letters and 13 digits"),
            ("USA44030190030", "too short"),
            (
                &with_check("83384419900307123"),
                "18 characters not starting with 9",
            ),
        ];
        for (raw, why) in cases {
            assert!(
                matches!(permit(raw), Err(ValidationError::InvalidFormat(_))),
                "{why}: {raw} should be rejected"
            );
        }
    }
}
