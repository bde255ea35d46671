//! The skill-upgrade subsidy (技能提升补贴): whether a certificate may be claimed on a day,
//! rule by rule, computed from the certificate and the person's claims, never stored.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

use super::{CredentialKind, SkillSubtype, ValidationError};

/// Yuan paid per level (`TALENT_SUBSIDY_AMOUNTS`, `5:1000,4:1500,3:2000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyAmounts(BTreeMap<u8, i32>);

impl Default for SubsidyAmounts {
    /// 1,000 yuan at level 5, 1,500 at 4, 2,000 at 3; none at 2 and 1.
    fn default() -> Self {
        Self(BTreeMap::from([(5, 1000), (4, 1500), (3, 2000)]))
    }
}

impl SubsidyAmounts {
    /// Parses `level:yuan` pairs separated by commas: levels 1 to 5, each once, amounts
    /// above 0; an empty text sets no amount at all.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let mut out = BTreeMap::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (level, amount) = pair.split_once(':').ok_or(ValidationError::InvalidFormat(
                "must be level:yuan pairs separated by commas, e.g. 5:1000,4:1500,3:2000",
            ))?;
            let level: u8 = level
                .trim()
                .parse()
                .ok()
                .filter(|l| (1..=5).contains(l))
                .ok_or(ValidationError::InvalidFormat("levels must be 1 to 5"))?;
            let amount: i32 = amount.trim().parse().ok().filter(|a| *a > 0).ok_or(
                ValidationError::InvalidFormat("amounts must be whole yuan above 0"),
            )?;
            if out.insert(level, amount).is_some() {
                return Err(ValidationError::InvalidFormat("a level is given twice"));
            }
        }
        Ok(Self(out))
    }

    /// The yuan paid at `level`, if any.
    pub fn at(&self, level: u8) -> Option<i32> {
        self.0.get(&level).copied()
    }
}

/// The subsidy rules' settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyPolicy {
    /// Claims a person may be paid per calendar year (`TALENT_SUBSIDY_CLAIMS_PER_YEAR`).
    pub claims_per_year: u32,
    /// Yuan per level.
    pub amounts: SubsidyAmounts,
}

impl Default for SubsidyPolicy {
    fn default() -> Self {
        Self {
            claims_per_year: 1,
            amounts: SubsidyAmounts::default(),
        }
    }
}

/// A certificate as far as the subsidy cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimable {
    /// Its kind.
    pub kind: CredentialKind,
    /// Its sub-type, for skill certificates.
    pub subtype: Option<SkillSubtype>,
    /// Its level.
    pub level: Option<u8>,
    /// Its issue day.
    pub issued_on: NaiveDate,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A subsidy the person was paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidClaim {
    /// The sub-type of its certificate.
    pub subtype: SkillSubtype,
    /// The level of its certificate.
    pub level: u8,
    /// The day it was paid.
    pub paid_on: NaiveDate,
}

/// A rule of the subsidy; each decision lists every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Only skill-level certificates are subsidised.
    SkillLevel,
    /// A revoked certificate is not.
    NotRevoked,
    /// Claimed within 12 months of issue.
    WithinTwelveMonths,
    /// Once per sub-type and level; a claim at a higher level of the sub-type blocks.
    NotClaimedAtThisOrHigherLevel,
    /// At most so many claims per calendar year.
    YearlyLimit,
    /// The level has an amount.
    AmountForLevel,
}

impl Rule {
    /// The stable name of the rule (`SubsidyReason.rule`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SkillLevel => "SKILL_LEVEL_CERTIFICATE",
            Self::NotRevoked => "NOT_REVOKED",
            Self::WithinTwelveMonths => "WITHIN_12_MONTHS",
            Self::NotClaimedAtThisOrHigherLevel => "NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL",
            Self::YearlyLimit => "YEARLY_LIMIT",
            Self::AmountForLevel => "AMOUNT_FOR_LEVEL",
        }
    }
}

/// One rule's outcome, worded for an institution's clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The rule.
    pub rule: Rule,
    /// Whether the certificate passes it.
    pub passed: bool,
    /// What it means for this certificate.
    pub message: String,
}

/// Whether a certificate may be claimed on a day, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// True when every rule passes.
    pub eligible: bool,
    /// The yuan paid at the certificate's level, when eligible.
    pub amount: Option<i32>,
    /// The last day of the claim: 12 months after issue.
    pub claim_by: NaiveDate,
    /// Every rule, in order, passed or not.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The first rule that failed, if any.
    pub fn first_failure(&self) -> Option<&Reason> {
        self.reasons.iter().find(|r| !r.passed)
    }
}

/// The last day a certificate issued on `issued_on` may be claimed.
pub fn claim_by(issued_on: NaiveDate) -> NaiveDate {
    issued_on
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

/// Decides whether `cert` may be claimed on `on`, given the person's paid `claims`.
pub fn decide(
    cert: &Claimable,
    on: NaiveDate,
    claims: &[PaidClaim],
    policy: &SubsidyPolicy,
) -> Decision {
    let claim_by = claim_by(cert.issued_on);
    let reason = |rule, passed, message: String| Reason {
        rule,
        passed,
        message,
    };
    let skill = cert.kind == CredentialKind::SkillLevel;
    let mut reasons = vec![reason(
        Rule::SkillLevel,
        skill,
        if skill {
            "a skill-level certificate (职业技能等级证书): the subsidy is paid on these".to_owned()
        } else {
            format!(
                "a {} certificate: the subsidy is paid on skill-level certificates only",
                kind_words(cert.kind)
            )
        },
    )];
    reasons.push(reason(
        Rule::NotRevoked,
        !cert.revoked,
        if cert.revoked {
            "the certificate was revoked".to_owned()
        } else {
            "the certificate stands (not revoked)".to_owned()
        },
    ));
    let within = cert.issued_on <= on && on <= claim_by;
    reasons.push(reason(
        Rule::WithinTwelveMonths,
        within,
        if on < cert.issued_on {
            format!(
                "{on} is before the certificate was issued on {}",
                cert.issued_on
            )
        } else if within {
            format!("may be claimed until {claim_by}, 12 months after issue")
        } else {
            format!("the 12 months to claim ended on {claim_by}")
        },
    ));
    reasons.push(once_per_level(cert, claims));
    let this_year = claims
        .iter()
        .filter(|c| c.paid_on.year() == on.year())
        .count();
    let limit = usize::try_from(policy.claims_per_year).unwrap_or(usize::MAX);
    reasons.push(reason(
        Rule::YearlyLimit,
        this_year < limit,
        format!(
            "{this_year} of {limit} subsidies allowed per person in {} already paid",
            on.year()
        ),
    ));
    let amount = cert.level.and_then(|l| policy.amounts.at(l));
    reasons.push(reason(
        Rule::AmountForLevel,
        amount.is_some(),
        match (cert.level, amount) {
            (Some(level), Some(yuan)) => format!("level {level} is paid {yuan} yuan"),
            (Some(level), None) => format!("no subsidy amount is set for level {level}"),
            (None, _) => "the certificate has no level, and amounts are set per level".to_owned(),
        },
    ));
    let eligible = reasons.iter().all(|r| r.passed);
    Decision {
        eligible,
        amount: amount.filter(|_| eligible),
        claim_by,
        reasons,
    }
}

fn once_per_level(cert: &Claimable, claims: &[PaidClaim]) -> Reason {
    let (Some(subtype), Some(level)) = (cert.subtype, cert.level) else {
        return Reason {
            rule: Rule::NotClaimedAtThisOrHigherLevel,
            passed: false,
            message: "the certificate has no sub-type and level to claim on".to_owned(),
        };
    };
    // Level 1 is the highest: a claim at this level or a smaller number blocks.
    let blocking = claims
        .iter()
        .filter(|c| c.subtype == subtype && c.level <= level)
        .min_by_key(|c| (c.level, c.paid_on));
    Reason {
        rule: Rule::NotClaimedAtThisOrHigherLevel,
        passed: blocking.is_none(),
        message: match blocking {
            None => format!(
                "no subsidy paid yet for {} ({}) at level {level} or higher",
                subtype,
                subtype.chinese()
            ),
            Some(c) => format!(
                "a subsidy for {} ({}) at level {} was paid on {}",
                subtype,
                subtype.chinese(),
                c.level,
                c.paid_on
            ),
        },
    }
}

fn kind_words(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::TrainingCompletion => "training completion (结业)",
        CredentialKind::SkillLevel => "skill-level (职业技能等级)",
        CredentialKind::SpecialAbility => "special vocational-ability (专项职业能力)",
    }
}

#[cfg(test)]
mod tests;
