//! Unified social credit code of an organization (GB 32100-2015).

use super::ValidationError;

const STANDARD: &str = "GB 32100-2015";
/// The code alphabet: digits and capitals without I, O, Z, S, V.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An organization's unified social credit code, unique nationwide, identifying an
/// institution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    /// Trims, uppercases and checks length, alphabet, region code and check character.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let code = raw.trim().to_uppercase();
        if code.is_empty() {
            return Err(ValidationError::Empty);
        }
        if code.chars().count() != 18 {
            return Err(ValidationError::InvalidFormat("must be 18 characters"));
        }
        let values = code
            .bytes()
            .map(value_of)
            .collect::<Option<Vec<u32>>>()
            .ok_or(ValidationError::InvalidCharacters)?;
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::InvalidFormat(
                "characters 3 to 8 must be a 6-digit region code",
            ));
        }
        if check_value(&values[..17]) != values[17] {
            return Err(ValidationError::CheckCharacterMismatch { standard: STANDARD });
        }
        Ok(Self(code))
    }

    /// The normalized 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Position of a character in the code alphabet.
fn value_of(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|i| u32::try_from(i).ok())
}

/// Value of the check character: 31 - (weighted sum mod 31), with 31 mapped to 0.
fn check_value(values: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the computed check character to 17 valid characters.
    fn with_check(first_17: &str) -> String {
        let values: Vec<u32> = first_17
            .bytes()
            .map(|c| value_of(c).expect("alphabet"))
            .collect();
        let check = ALPHABET[check_value(&values) as usize];
        format!("{first_17}{}", char::from(check))
    }

    #[test]
    fn independently_published_codes_are_accepted() {
        for (code, holder) in [
            ("91440300708461136T", "Huawei Technologies"),
            ("9144030071526726XG", "Tencent, Shenzhen"),
        ] {
            let parsed = CreditCode::parse(code);
            assert_eq!(
                parsed.as_ref().map(CreditCode::as_str),
                Ok(code),
                "{holder}"
            );
        }
    }

    #[test]
    fn codes_with_a_computed_check_character_are_accepted() {
        for first_17 in [
            "91440300MA5ABCDE1",
            "12440300455755443",
            "93440300HJKLMNPQR",
        ] {
            let code = with_check(first_17);
            assert!(CreditCode::parse(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn a_lowercase_code_with_spaces_around_is_normalized() {
        let code = CreditCode::parse("  9144030071526726xg ").expect("valid");
        assert_eq!(code.as_str(), "9144030071526726XG");
    }

    #[test]
    fn a_wrong_check_character_is_rejected() {
        assert_eq!(
            CreditCode::parse("91440300708461136U"),
            Err(ValidationError::CheckCharacterMismatch { standard: STANDARD })
        );
    }

    #[test]
    fn a_code_that_is_not_18_characters_is_rejected() {
        for raw in ["91440300708461136", "91440300708461136TT"] {
            assert_eq!(
                CreditCode::parse(raw),
                Err(ValidationError::InvalidFormat("must be 18 characters")),
                "{raw}"
            );
        }
        assert_eq!(CreditCode::parse(" "), Err(ValidationError::Empty));
    }

    #[test]
    fn letters_outside_the_alphabet_are_rejected() {
        for (raw, letter) in [
            ("91440300708461136I", "I"),
            ("91440300708461136O", "O"),
            ("9144030070846113ZT", "Z"),
            ("9144030070846113ST", "S"),
            ("9144030070846113VT", "V"),
            ("9144030070846113-T", "-"),
        ] {
            assert_eq!(
                CreditCode::parse(raw),
                Err(ValidationError::InvalidCharacters),
                "{letter} is not in the alphabet"
            );
        }
    }

    #[test]
    fn a_region_code_with_letters_is_rejected() {
        let code = with_check("9144A300708461136");
        assert_eq!(
            CreditCode::parse(&code),
            Err(ValidationError::InvalidFormat(
                "characters 3 to 8 must be a 6-digit region code"
            ))
        );
    }
}
