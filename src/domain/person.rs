//! Personal contact data of a trainee: name and phone number, with masking.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::ValidationError;

/// Longest accepted name, in characters.
const NAME_MAX: usize = 50;
/// Punctuation found in names: interpuncts of transliterated names (`·`, `•`),
/// initials (`.`), apostrophes and hyphens.
const NAME_PUNCTUATION: [char; 5] = ['·', '•', '.', '\'', '-'];

/// Control characters plus invisible format and bidi characters, which can spoof
/// how a text is displayed (Trojan Source, CVE-2021-42574).
pub(super) fn is_control_or_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// Combining marks (Unicode Mn in the common combining blocks), which `char` cannot
/// classify without a Unicode table.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// A person's name as written, in any script; personal data, so `Debug` prints the
/// masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Normalizes to NFC (a name typed with decomposed accents, or with a CJK
    /// compatibility ideograph, is the same name), trims, collapses inner whitespace
    /// (full-width spaces included) and allows letters, marks, spaces and name
    /// punctuation only (`·•.'-`), 1 to 50 characters.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        // Tabs and newlines are control characters: rejected, not collapsed.
        if raw.trim().chars().any(is_control_or_invisible) {
            return Err(ValidationError::InvalidCharacters);
        }
        let name = raw
            .nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return Err(ValidationError::Empty);
        }
        if name.chars().count() > NAME_MAX {
            return Err(ValidationError::TooLong { max: NAME_MAX });
        }
        let allowed = |c: char| {
            c.is_alphabetic() || is_combining_mark(c) || c == ' ' || NAME_PUNCTUATION.contains(&c)
        };
        if !name.chars().all(allowed) {
            return Err(ValidationError::InvalidCharacters);
        }
        Ok(Self(name))
    }

    /// The normalized name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Display form for lists: the first character, then a star per non-space
    /// character (`张**`, `J*** *****`).
    pub fn masked(&self) -> String {
        self.0
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 || c == ' ' { c } else { '*' })
            .collect()
    }

    /// Whether two spellings denote the same name: equal ignoring case, spaces,
    /// interpuncts and full-width forms (`Ali·Khan` = `ali khan` = `ＡＬＩ ＫＨＡＮ`), used
    /// to detect conflicting registrations and to verify a holder's name.
    pub fn matches(&self, other: &PersonName) -> bool {
        fn key(name: &str) -> String {
            name.nfkc()
                .filter(|c| !matches!(c, ' ' | '·' | '•'))
                .flat_map(char::to_lowercase)
                .collect()
        }
        key(&self.0) == key(&other.0)
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PersonName").field(&self.masked()).finish()
    }
}

/// A contact phone number: a mainland mobile number (stored without `+86`) or an
/// international number in E.164 form; personal data, so `Debug` prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Strips spaces and hyphens, then accepts `1[3-9]` + 9 digits (optionally after
    /// `+86`/`86`) or `+` and 7 to 15 digits (E.164).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(ValidationError::Empty);
        }
        let (plus, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if is_mainland_mobile(digits) && !plus {
            return Ok(Self(digits.to_owned()));
        }
        if let Some(mobile) = digits.strip_prefix("86").filter(|m| is_mainland_mobile(m)) {
            return Ok(Self(mobile.to_owned()));
        }
        if plus && (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self(compact));
        }
        Err(ValidationError::InvalidFormat(
            "must be a mainland mobile number or + followed by 7 to 15 digits",
        ))
    }

    /// The stored form: 11 digits for mainland mobiles, `+` and digits otherwise.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Display form: `138****5678` for mainland mobiles; `+`, the first two and the last
    /// two digits for international numbers (`+44********00`).
    pub fn masked(&self) -> String {
        let (prefix, digits) = match self.0.strip_prefix('+') {
            Some(digits) => ("+", digits),
            None => ("", self.0.as_str()),
        };
        let (head, tail) = if prefix.is_empty() { (3, 4) } else { (2, 2) };
        let len = digits.len();
        let stars = len.saturating_sub(head + tail);
        let head_part = digits.get(..head).unwrap_or_default();
        let tail_part = digits.get(len.saturating_sub(tail)..).unwrap_or_default();
        format!("{prefix}{head_part}{}{tail_part}", "*".repeat(stars))
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.masked()).finish()
    }
}

/// `1[3-9]` followed by 9 digits.
fn is_mainland_mobile(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_inner_whitespace_collapsed() {
        let name = PersonName::parse("  John \u{3000}  Smith ").expect("valid");
        assert_eq!(name.as_str(), "John Smith");
    }

    #[test]
    fn names_in_several_scripts_and_with_name_punctuation_are_accepted() {
        for raw in [
            "张三丰",
            "阿依古丽·买买提",
            "Mary-Jane O'Neil",
            "J. R. Smith",
            "José Müller",
            "Jose\u{0301}",
            "Nguyễn Thị Minh",
        ] {
            assert!(PersonName::parse(raw).is_ok(), "{raw} should be accepted");
        }
    }

    #[test]
    fn a_decomposed_name_is_stored_composed() {
        let decomposed = "Jose\u{301} Garci\u{301}a";
        assert_eq!(
            PersonName::parse(decomposed).unwrap().as_str(),
            "José García"
        );
    }

    #[test]
    fn full_width_spaces_are_collapsed_and_trimmed() {
        assert_eq!(
            PersonName::parse("\u{3000}欧阳\u{3000}\u{3000}娜娜 ")
                .unwrap()
                .as_str(),
            "欧阳 娜娜"
        );
    }

    #[test]
    fn a_full_width_spelling_matches_the_ascii_one() {
        let ascii = PersonName::parse("Ali Khan").unwrap();
        let full_width = PersonName::parse("ＡＬＩ ＫＨＡＮ").unwrap();
        assert!(ascii.matches(&full_width));
    }

    #[test]
    fn a_blank_name_is_rejected_as_empty() {
        assert_eq!(PersonName::parse(" \u{3000} "), Err(ValidationError::Empty));
    }

    #[test]
    fn a_name_over_50_characters_is_rejected_counting_characters_not_bytes() {
        let fifty = "张".repeat(50);
        assert!(
            PersonName::parse(&fifty).is_ok(),
            "50 characters (150 bytes)"
        );
        assert_eq!(
            PersonName::parse(&"张".repeat(51)),
            Err(ValidationError::TooLong { max: 50 })
        );
    }

    #[test]
    fn control_and_invisible_characters_are_rejected() {
        for (raw, why) in [
            ("张\u{0}三", "NUL"),
            ("张\t三", "tab"),
            ("张\n三", "newline"),
            ("张\u{200B}三", "zero-width space"),
            ("abc\u{202E}fed", "right-to-left override"),
            ("abc\u{2066}def", "left-to-right isolate"),
            ("\u{FEFF}张三", "byte order mark"),
            ("张\u{00AD}三", "soft hyphen (Cf)"),
        ] {
            assert_eq!(
                PersonName::parse(raw),
                Err(ValidationError::InvalidCharacters),
                "{why}"
            );
        }
    }

    #[test]
    fn digits_and_markup_characters_are_rejected() {
        for raw in [
            "张3",
            "<script>",
            "Robert\"); DROP",
            "a;b",
            "John_Smith",
            "@john",
        ] {
            assert_eq!(
                PersonName::parse(raw),
                Err(ValidationError::InvalidCharacters),
                "{raw} should be rejected"
            );
        }
    }

    #[test]
    fn a_name_is_masked_keeping_the_first_character_and_spaces() {
        let cases = [
            ("张三丰", "张**"),
            ("John Smith", "J*** *****"),
            ("李", "李"),
        ];
        for (raw, expected) in cases {
            let name = PersonName::parse(raw).expect("valid");
            assert_eq!(name.masked(), expected, "{raw}");
            assert_eq!(format!("{name:?}"), format!("PersonName({expected:?})"));
        }
    }

    #[test]
    fn names_match_ignoring_case_spaces_and_interpuncts() {
        let name = |raw| PersonName::parse(raw).expect("valid");
        assert!(name("阿依古丽·买买提").matches(&name("阿依古丽 买买提")));
        assert!(name("阿依古丽•买买提").matches(&name("阿依古丽买买提")));
        assert!(name("John Smith").matches(&name("JOHN SMITH")));
        assert!(!name("John Smith").matches(&name("Jon Smith")));
        assert!(!name("Mary-Jane").matches(&name("Mary Jane")));
    }

    #[test]
    fn a_mainland_mobile_is_accepted_with_or_without_country_code() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "8613812345678",
        ] {
            let phone = PhoneNumber::parse(raw);
            assert_eq!(
                phone.as_ref().map(PhoneNumber::as_str),
                Ok("13812345678"),
                "{raw}"
            );
        }
    }

    #[test]
    fn an_international_number_is_stored_with_the_plus() {
        let phone = PhoneNumber::parse("+44 20 7946 0000").expect("valid");
        assert_eq!(phone.as_str(), "+442079460000");
        let shortest = PhoneNumber::parse("+1234567").expect("7 digits");
        assert_eq!(shortest.as_str(), "+1234567");
    }

    #[test]
    fn malformed_phone_numbers_are_rejected() {
        for (raw, why) in [
            ("12812345678", "second digit below 3"),
            ("1381234567", "10 digits"),
            ("138123456789", "12 digits"),
            ("+123456", "international with 6 digits"),
            ("+1234567890123456", "international with 16 digits"),
            ("0755 1234 5678", "landline without +"),
            ("+86 138 1234 567a", "a letter"),
            ("(138) 1234 5678", "parentheses"),
            ("++8613812345678", "two plus signs"),
        ] {
            assert!(
                matches!(
                    PhoneNumber::parse(raw),
                    Err(ValidationError::InvalidFormat(_))
                ),
                "{why}: {raw} should be rejected"
            );
        }
        assert_eq!(PhoneNumber::parse(" - "), Err(ValidationError::Empty));
    }

    #[test]
    fn phone_numbers_are_masked() {
        let cases = [
            ("13812345678", "138****5678"),
            ("+442079460000", "+44********00"),
            ("+1234567", "+12***67"),
        ];
        for (raw, expected) in cases {
            let phone = PhoneNumber::parse(raw).expect("valid");
            assert_eq!(phone.masked(), expected, "{raw}");
            assert_eq!(format!("{phone:?}"), format!("PhoneNumber({expected:?})"));
        }
    }
}
