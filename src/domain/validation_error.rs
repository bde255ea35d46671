//! The single error type of domain parsing, phrased for API clients.

/// Why a raw input was rejected.
///
/// Messages are sentence fragments without the field name (the caller adds it) and
/// never echo personal data (identity numbers, phones, names): they reach API
/// clients and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Nothing left after trimming.
    #[error("must not be empty")]
    Empty,
    /// Longer than the rule allows, counted in characters.
    #[error("must be at most {max} characters")]
    TooLong {
        /// Maximum number of characters.
        max: usize,
    },
    /// Shorter than the rule allows, counted in characters.
    #[error("must be at least {min} characters")]
    TooShort {
        /// Minimum number of characters.
        min: usize,
    },
    /// A number outside its inclusive range.
    #[error("must be between {min} and {max}, got {value}")]
    OutOfRange {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
        /// The rejected value.
        value: i64,
    },
    /// Contains characters outside the rule's alphabet (or control/bidi characters).
    #[error("contains characters that are not allowed")]
    InvalidCharacters,
    /// Does not have the required shape; the payload describes the rule.
    #[error("{0}")]
    InvalidFormat(&'static str),
    /// The check character does not match the one computed from the other characters.
    #[error("check character does not match ({standard})")]
    CheckCharacterMismatch {
        /// The standard defining the check character.
        standard: &'static str,
    },
    /// The birth date embedded in a resident ID number is not a real past date.
    #[error("embedded birth date must be a valid date from 1900 up to today")]
    InvalidBirthDate,
    /// Not one of the configured districts (district names are not personal data).
    #[error("unknown district \"{0}\"")]
    UnknownDistrict(String),
    /// Not one of an enumeration's values.
    #[error("must be one of {allowed}")]
    UnknownValue {
        /// The accepted values, comma separated.
        allowed: &'static str,
    },
    /// An uploaded file that cannot be read as a roster; the payload says where and why
    /// (a line number, a header name, never a cell's content).
    #[error("{0}")]
    Unreadable(String),
    /// A start date after the end date.
    #[error("start date must not be after end date")]
    DateRange,
}

#[cfg(test)]
mod tests {
    use super::ValidationError;

    #[test]
    fn messages_are_fragments_that_name_the_rule() {
        let cases = [
            (ValidationError::Empty, "must not be empty"),
            (
                ValidationError::TooLong { max: 50 },
                "must be at most 50 characters",
            ),
            (
                ValidationError::OutOfRange {
                    min: 1,
                    max: 5,
                    value: 7,
                },
                "must be between 1 and 5, got 7",
            ),
            (
                ValidationError::InvalidFormat("must be 18 characters"),
                "must be 18 characters",
            ),
            (
                ValidationError::CheckCharacterMismatch {
                    standard: "ISO 7064 MOD 11-2",
                },
                "check character does not match (ISO 7064 MOD 11-2)",
            ),
            (
                ValidationError::UnknownDistrict("Xinyi".to_owned()),
                "unknown district \"Xinyi\"",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected, "message of {error:?}");
        }
    }
}
