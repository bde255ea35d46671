//! `SubsidyClaim`, `SubsidyDecision`, `SubsidyReason`.

use async_graphql::{ID, SimpleObject};

use super::{Certificate, Date};
use crate::domain::{Decision, Reason};
use crate::entity::{certificate, subsidy_claim};

/// A skill-upgrade subsidy the city paid on a certificate.
#[derive(SimpleObject)]
pub struct SubsidyClaim {
    /// Stable id.
    pub id: ID,
    /// The certificate it was paid on.
    pub certificate: Certificate,
    /// The day it was paid.
    pub paid_on: Date,
    /// Yuan paid.
    pub amount_cny: i32,
}

impl SubsidyClaim {
    /// The claim with its certificate.
    pub fn new(claim: subsidy_claim::Model, cert: certificate::Model) -> Self {
        Self {
            id: ID(claim.id.to_string()),
            certificate: cert.into(),
            paid_on: Date(claim.paid_on),
            amount_cny: claim.amount_cny,
        }
    }
}

/// Whether a certificate may be claimed for the skill-upgrade subsidy today, and why:
/// computed from the certificate and the person's paid claims, never set by hand.
#[derive(SimpleObject)]
pub struct SubsidyDecision {
    /// The certificate judged.
    pub certificate: Certificate,
    /// True when every rule passes.
    pub eligible: bool,
    /// Yuan to pay, when eligible (`TALENT_SUBSIDY_AMOUNTS`).
    pub amount_cny: Option<i32>,
    /// The last day of the claim: 12 months after the certificate's issue.
    pub claim_by: Date,
    /// Every rule, passed or not, in order.
    pub reasons: Vec<SubsidyReason>,
}

impl SubsidyDecision {
    /// The decision about `cert`.
    pub fn new(cert: certificate::Model, decision: Decision) -> Self {
        Self {
            certificate: cert.into(),
            eligible: decision.eligible,
            amount_cny: decision.amount,
            claim_by: Date(decision.claim_by),
            reasons: decision.reasons.into_iter().map(Into::into).collect(),
        }
    }
}

/// One rule of the subsidy and how the certificate fares.
#[derive(SimpleObject)]
pub struct SubsidyReason {
    /// The rule: `SKILL_LEVEL_CERTIFICATE`, `NOT_REVOKED`, `WITHIN_12_MONTHS`,
    /// `NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL`, `YEARLY_LIMIT`, `AMOUNT_FOR_LEVEL`.
    pub rule: String,
    /// Whether the certificate passes it.
    pub passed: bool,
    /// What it means for this certificate, in words.
    pub message: String,
}

impl From<Reason> for SubsidyReason {
    fn from(reason: Reason) -> Self {
        Self {
            rule: reason.rule.as_str().to_owned(),
            passed: reason.passed,
            message: reason.message,
        }
    }
}
