//! National credentials of occupation 互联网营销师 (4-01-02-07): which sub-type has which
//! levels, the standard's training hours, the national certificate number, the issue
//! day, and the credential kinds a programme counts.

use chrono::{Datelike, NaiveDate};

use super::{CredentialKind, SkillSubtype, Track, ValidationError};

/// The occupation code of 互联网营销师 in the national occupation classification.
pub const OCCUPATION_CODE: &str = "4-01-02-07";

/// The first day a skill certificate of this occupation may carry: the occupation
/// entered the national catalogue in 2020.
pub const FIRST_ISSUE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2020, 1, 1) {
    Some(day) => day,
    None => panic!("a valid date"),
};

impl SkillSubtype {
    /// The track a skill certificate of this sub-type counts on: the seller is the host.
    pub fn track(self) -> Track {
        match self {
            Self::LivestreamSeller => Track::Host,
            Self::ProductSelector | Self::VideoPromoter | Self::PlatformManager => {
                Track::Professional
            }
        }
    }

    /// The highest level the standard sets for the sub-type (1 is the highest of all).
    pub fn highest_level(self) -> u8 {
        match self {
            Self::PlatformManager => 3,
            _ => 1,
        }
    }

    /// The Chinese name of the sub-type.
    pub fn chinese(self) -> &'static str {
        match self {
            Self::ProductSelector => "选品员",
            Self::LivestreamSeller => "直播销售员",
            Self::VideoPromoter => "视频创推员",
            Self::PlatformManager => "平台管理员",
        }
    }
}

/// A level the standard sets for a sub-type: 5 (entry) to 1, 5 to 3 for 平台管理员.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkillLevel(u8);

impl SkillLevel {
    /// Accepts `raw` when the standard sets that level for `subtype`.
    pub fn parse(subtype: SkillSubtype, raw: i32) -> Result<Self, ValidationError> {
        let highest = subtype.highest_level();
        match u8::try_from(raw) {
            Ok(level) if (highest..=5).contains(&level) => Ok(Self(level)),
            _ if subtype == SkillSubtype::PlatformManager && (1..=2).contains(&raw) => Err(
                ValidationError::InvalidFormat("PLATFORM_MANAGER has levels 5 to 3 only"),
            ),
            _ => Err(ValidationError::OutOfRange {
                min: 1,
                max: 5,
                value: raw.into(),
            }),
        }
    }

    /// The level, 5 (entry) to 1 (highest).
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The training hours the national standard sets for a level: 120 at level 5, 104 at 4,
/// 88 at 3, 72 at 2 and 1.
pub fn standard_hours(level: u8) -> i32 {
    match level {
        5 => 120,
        4 => 104,
        3 => 88,
        _ => 72,
    }
}

/// Whether a course of `hours` at `level` has at least the standard's training hours.
pub fn meets_standard_hours(hours: i32, level: u8) -> bool {
    hours >= standard_hours(level)
}

/// The day a skill certificate was issued: not in the future, not before
/// 2020-01-01 (`FIRST_ISSUE_DAY`).
pub fn issued_on(raw: NaiveDate, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    if raw > today {
        Err(ValidationError::InvalidFormat("must not be in the future"))
    } else if raw < FIRST_ISSUE_DAY {
        Err(ValidationError::InvalidFormat(
            "must not be before 2020, when the occupation entered the national catalogue",
        ))
    } else {
        Ok(raw)
    }
}

/// A national certificate number (证书编号): 22 characters, `Y` (an employer's
/// evaluation) or `S` (a social training and evaluation organisation's) then 21 digits,
/// of which the 14th and 15th characters are the issue year's last two digits and the
/// 16th the level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalNumber(String);

/// Characters of a national number.
const NATIONAL_NUMBER_LEN: usize = 22;

impl NationalNumber {
    /// Accepts `raw` (surrounding spaces trimmed, the letter in either case) when its
    /// shape is right and it agrees with the certificate's issue day and level.
    pub fn parse(raw: &str, issued_on: NaiveDate, level: u8) -> Result<Self, ValidationError> {
        let number = Self::shape(raw)?;
        let bytes = number.0.as_bytes();
        let year = u32::from(bytes[13] - b'0') * 10 + u32::from(bytes[14] - b'0');
        if i64::from(year) != i64::from(issued_on.year().rem_euclid(100)) {
            return Err(ValidationError::InvalidFormat(
                "characters 14-15 must be the last two digits of the year of issuedOn",
            ));
        }
        if bytes[15] - b'0' != level {
            return Err(ValidationError::InvalidFormat(
                "character 16 must be the level",
            ));
        }
        Ok(number)
    }

    /// Accepts `raw` when it has the shape of a national number, whatever it says.
    pub fn shape(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        let count = trimmed.chars().count();
        if count != NATIONAL_NUMBER_LEN {
            return Err(ValidationError::InvalidFormat(
                "must be 22 characters: Y or S, then 21 digits",
            ));
        }
        let mut chars = trimmed.chars();
        let letter = chars.next().map(|c| c.to_ascii_uppercase());
        if !matches!(letter, Some('Y' | 'S')) {
            return Err(ValidationError::InvalidFormat("must start with Y or S"));
        }
        if !chars.all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::InvalidFormat(
                "must be Y or S followed by 21 digits",
            ));
        }
        Ok(Self(trimmed.to_ascii_uppercase()))
    }

    /// The number as stored, the letter upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The credential kinds a programme counts (`Programme.countedKinds`), never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedKinds([bool; 3]);

impl Default for CountedKinds {
    /// Training completion and skill-level certificates.
    fn default() -> Self {
        Self([true, true, false])
    }
}

impl CountedKinds {
    /// The set of `kinds`; an empty list is refused.
    pub fn parse(kinds: &[CredentialKind]) -> Result<Self, ValidationError> {
        if kinds.is_empty() {
            return Err(ValidationError::Empty);
        }
        let mut set = [false; 3];
        for kind in kinds {
            set[Self::slot(*kind)] = true;
        }
        Ok(Self(set))
    }

    /// The stored spelling, `TRAINING_COMPLETION,SKILL_LEVEL`, in declaration order.
    pub fn stored(self) -> String {
        self.kinds()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The set of a stored spelling; unknown parts are an error.
    pub fn from_stored(raw: &str) -> Result<Self, ValidationError> {
        let kinds = raw
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<CredentialKind>, _>>()?;
        Self::parse(&kinds)
    }

    /// Whether the set holds `kind`.
    pub fn contains(self, kind: CredentialKind) -> bool {
        self.0[Self::slot(kind)]
    }

    /// The kinds in declaration order.
    pub fn kinds(self) -> impl Iterator<Item = CredentialKind> {
        CredentialKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }

    fn slot(kind: CredentialKind) -> usize {
        match kind {
            CredentialKind::TrainingCompletion => 0,
            CredentialKind::SkillLevel => 1,
            CredentialKind::SpecialAbility => 2,
        }
    }
}

#[cfg(test)]
mod tests;
