//! Login credentials as typed by a user.

use std::fmt;

use super::ValidationError;

/// A login name: lowercase ASCII so that case variants cannot create look-alike
/// accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    const MIN: usize = 3;
    const MAX: usize = 64;

    /// Trims and lowercases, then requires 3..=64 of `[a-z0-9._-]` starting with a
    /// letter or digit.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim().to_lowercase();
        if name.is_empty() {
            return Err(ValidationError::Empty);
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !name.chars().all(allowed) {
            return Err(ValidationError::InvalidCharacters);
        }
        match name.len() {
            len if len < Self::MIN => Err(ValidationError::TooShort { min: Self::MIN }),
            len if len > Self::MAX => Err(ValidationError::TooLong { max: Self::MAX }),
            _ if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) => Err(
                ValidationError::InvalidFormat("must start with a letter or digit"),
            ),
            _ => Ok(Self(name)),
        }
    }

    /// The normalized login name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed: 12..=128 characters and no composition rules (OWASP ASVS
/// 2.1.1, 2.1.2, 2.1.9); `Debug` never prints it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    const MIN: usize = 12;
    const MAX: usize = 128;

    /// Checks the length in characters only; spaces are kept, as ASVS 2.1.3 forbids
    /// altering the password.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.chars().count() {
            len if len < Self::MIN => Err(ValidationError::TooShort { min: Self::MIN }),
            len if len > Self::MAX => Err(ValidationError::TooLong { max: Self::MAX }),
            _ => Ok(Self(raw.to_owned())),
        }
    }

    /// The plain text, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_trimmed_and_lowercased() {
        let name = Username::parse("  Zhang.San_01 ").expect("valid");
        assert_eq!(name.as_str(), "zhang.san_01");
    }

    #[test]
    fn usernames_of_3_and_64_characters_are_accepted() {
        for raw in ["abc".to_owned(), "a".repeat(64), "9-a".to_owned()] {
            assert!(Username::parse(&raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn invalid_usernames_are_rejected() {
        let cases = [
            ("", ValidationError::Empty, "empty"),
            ("ab", ValidationError::TooShort { min: 3 }, "2 characters"),
            (
                &*"a".repeat(65),
                ValidationError::TooLong { max: 64 },
                "65 characters",
            ),
            (
                "zhang san",
                ValidationError::InvalidCharacters,
                "inner space",
            ),
            (
                "zhang@example",
                ValidationError::InvalidCharacters,
                "at sign",
            ),
            ("张三abc", ValidationError::InvalidCharacters, "non-ASCII"),
            (
                ".admin",
                ValidationError::InvalidFormat("must start with a letter or digit"),
                "leading dot",
            ),
            (
                "-admin",
                ValidationError::InvalidFormat("must start with a letter or digit"),
                "leading hyphen",
            ),
        ];
        for (raw, expected, why) in cases {
            assert_eq!(Username::parse(raw), Err(expected), "{why}");
        }
    }

    #[test]
    fn a_password_of_12_to_128_characters_is_accepted_as_typed() {
        for raw in [
            " twelve chr ",
            "correct horse battery staple",
            &"密".repeat(128),
        ] {
            let password = Password::parse(raw).expect("valid");
            assert_eq!(password.expose(), raw);
        }
    }

    #[test]
    fn a_password_outside_12_to_128_characters_is_rejected() {
        assert_eq!(
            Password::parse("elevenchars").map(|_| ()),
            Err(ValidationError::TooShort { min: 12 })
        );
        assert_eq!(
            Password::parse(&"a".repeat(129)).map(|_| ()),
            Err(ValidationError::TooLong { max: 128 })
        );
    }

    #[test]
    fn a_password_is_never_printed_by_debug() {
        let password = Password::parse("correct horse battery staple").expect("valid");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
