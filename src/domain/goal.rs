//! The plan's goals: what each goal counts and in which unit, goal targets, sales months
//! and amounts in yuan.

use chrono::{Datelike, NaiveDate};

use super::{GoalKind, InstitutionKind, Track, ValidationError};

/// What a recognition names for a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An institution of one of these kinds.
    Institution(&'static [InstitutionKind]),
    /// A trainee.
    Trainee,
}

impl GoalKind {
    /// The unit of the goal's target and achieved figure.
    pub fn unit(self) -> &'static str {
        match self {
            Self::CertifiedHosts | Self::CertifiedProfessionals | Self::InfluentialHosts => {
                "persons"
            }
            Self::ServiceInstitutions | Self::BasesAndParks | Self::EnterprisesLaunched => {
                "organisations"
            }
            Self::SalesCny => "CNY",
        }
    }

    /// The track of a person goal (the goal is that track's target).
    pub fn track(self) -> Option<Track> {
        match self {
            Self::CertifiedHosts => Some(Track::Host),
            Self::CertifiedProfessionals => Some(Track::Professional),
            _ => None,
        }
    }

    /// The person goal of a track.
    pub fn of_track(track: Track) -> Self {
        match track {
            Track::Host => Self::CertifiedHosts,
            Track::Professional => Self::CertifiedProfessionals,
        }
    }

    /// What a recognition for this goal names; `None` for goals not met by recognitions.
    pub fn subject(self) -> Option<Subject> {
        match self {
            Self::ServiceInstitutions => Some(Subject::Institution(&[
                InstitutionKind::ServiceInstitution,
                InstitutionKind::TrainingInstitution,
            ])),
            Self::BasesAndParks => Some(Subject::Institution(&[
                InstitutionKind::LivestreamingBase,
                InstitutionKind::IndustrialPark,
            ])),
            Self::EnterprisesLaunched => Some(Subject::Institution(&[InstitutionKind::Enterprise])),
            Self::InfluentialHosts => Some(Subject::Trainee),
            _ => None,
        }
    }
}

/// A goal's target: above 0; a whole number up to 100,000,000 for persons and
/// organisations, yuan with at most two decimals up to 10^15 for sales.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalTarget(f64);

impl GoalTarget {
    /// Checks `raw` against the unit of `kind`.
    pub fn parse(kind: GoalKind, raw: f64) -> Result<Self, ValidationError> {
        if !raw.is_finite() || raw <= 0.0 {
            return Err(ValidationError::InvalidFormat("must be greater than 0"));
        }
        if kind == GoalKind::SalesCny {
            Yuan::parse(raw)?;
            return Ok(Self(raw));
        }
        if raw.fract() != 0.0 || raw > 100_000_000.0 {
            return Err(ValidationError::InvalidFormat(
                "must be a whole number from 1 to 100000000",
            ));
        }
        Ok(Self(raw))
    }

    /// The target.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// An amount in yuan, 0 or more, at most two decimals (fen) and at most 10^15, held
/// as whole fen so that sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yuan(i64);

impl Yuan {
    /// Largest amount, in yuan.
    const MAX: f64 = 1e15;

    /// Checks and converts `raw` yuan to fen.
    pub fn parse(raw: f64) -> Result<Self, ValidationError> {
        if !raw.is_finite() || raw < 0.0 {
            return Err(ValidationError::InvalidFormat("must be 0 or more"));
        }
        if raw > Self::MAX {
            return Err(ValidationError::InvalidFormat(
                "must be at most 1000000000000000",
            ));
        }
        let fen = (raw * 100.0).round();
        if (raw * 100.0 - fen).abs() > 1e-6 * fen.max(1.0) {
            return Err(ValidationError::InvalidFormat(
                "must have at most two decimals (fen)",
            ));
        }
        Ok(Self(fen as i64))
    }

    /// The amount of `fen`.
    pub fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    /// Whole fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Yuan, for display.
    pub fn yuan(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month(NaiveDate);

impl Month {
    /// Parses `YYYY-MM` (years 2000–2999).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        const RULE: ValidationError = ValidationError::InvalidFormat("must be YYYY-MM");
        let (year, month) = raw.trim().split_once('-').ok_or(RULE)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(RULE);
        }
        let year: i32 = year.parse().map_err(|_| RULE)?;
        let month: u32 = month.parse().map_err(|_| RULE)?;
        if !(2000..=2999).contains(&year) {
            return Err(RULE);
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(Self)
            .ok_or(RULE)
    }

    /// The month of `day`.
    pub fn of(day: NaiveDate) -> Self {
        Self(day.with_day(1).unwrap_or(day))
    }

    /// Its first day: the day a month's figure is dated by.
    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        self.0
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(self.0)
    }

    /// `YYYY-MM`.
    pub fn as_string(self) -> String {
        super::month_of(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_four_digits_a_dash_and_two_digits() {
        assert_eq!(Month::parse("2025-03").unwrap().as_string(), "2025-03");
        for bad in ["2025-3", "2025-13", "25-03", "2025/03", "", "2025-03-01"] {
            assert!(Month::parse(bad).is_err(), "{bad} accepted");
        }
        let feb = Month::parse("2024-02").unwrap();
        assert_eq!(
            feb.last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn yuan_are_held_as_whole_fen() {
        assert_eq!(Yuan::parse(12.34).unwrap().fen(), 1234);
        assert_eq!(Yuan::parse(3e11).unwrap().fen(), 30_000_000_000_000);
        assert_eq!(Yuan::parse(0.0).unwrap().fen(), 0);
        assert!(Yuan::parse(0.001).is_err());
        assert!(Yuan::parse(-1.0).is_err());
        assert!(Yuan::parse(f64::NAN).is_err());
    }

    #[test]
    fn a_goal_target_is_positive_and_whole_unless_it_counts_yuan() {
        assert!(GoalTarget::parse(GoalKind::BasesAndParks, 50.0).is_ok());
        assert!(GoalTarget::parse(GoalKind::BasesAndParks, 0.0).is_err());
        assert!(GoalTarget::parse(GoalKind::BasesAndParks, 2.5).is_err());
        assert!(GoalTarget::parse(GoalKind::SalesCny, 2.5).is_ok());
        assert!(GoalTarget::parse(GoalKind::SalesCny, -2.5).is_err());
    }

    #[test]
    fn each_recognised_goal_names_its_subject() {
        assert_eq!(GoalKind::InfluentialHosts.subject(), Some(Subject::Trainee));
        assert_eq!(GoalKind::SalesCny.subject(), None);
        assert_eq!(GoalKind::CertifiedHosts.subject(), None);
    }
}
