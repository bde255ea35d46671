//! Every subsidy rule, passed and failed.

use super::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn skill(subtype: SkillSubtype, level: u8, issued_on: &str) -> Claimable {
    Claimable {
        kind: CredentialKind::SkillLevel,
        subtype: Some(subtype),
        level: Some(level),
        issued_on: day(issued_on),
        revoked: false,
    }
}

fn paid(subtype: SkillSubtype, level: u8, on: &str) -> PaidClaim {
    PaidClaim {
        subtype,
        level,
        paid_on: day(on),
    }
}

const SELLER: SkillSubtype = SkillSubtype::LivestreamSeller;

/// The rules a decision failed, by name.
fn failed(decision: &Decision) -> Vec<&'static str> {
    decision
        .reasons
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.rule.as_str())
        .collect()
}

#[test]
fn a_fresh_skill_certificate_is_eligible_with_its_level_amount_and_every_rule_listed() {
    let decision = decide(
        &skill(SELLER, 4, "2025-03-10"),
        day("2025-06-01"),
        &[],
        &SubsidyPolicy::default(),
    );
    assert!(decision.eligible);
    assert_eq!(decision.amount, Some(1500));
    assert_eq!(decision.claim_by, day("2026-03-10"));
    let rules: Vec<&str> = decision.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "SKILL_LEVEL_CERTIFICATE",
            "NOT_REVOKED",
            "WITHIN_12_MONTHS",
            "NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL",
            "YEARLY_LIMIT",
            "AMOUNT_FOR_LEVEL"
        ]
    );
    assert!(decision.reasons.iter().all(|r| r.passed));
}

#[test]
fn each_rule_refuses_on_its_own() {
    let policy = SubsidyPolicy::default();
    let base = skill(SELLER, 4, "2025-03-10");
    let cases: Vec<(&str, Claimable, &str, Vec<PaidClaim>, &str)> = vec![
        (
            "a completion certificate",
            Claimable {
                kind: CredentialKind::TrainingCompletion,
                ..base.clone()
            },
            "2025-06-01",
            vec![],
            "SKILL_LEVEL_CERTIFICATE",
        ),
        (
            "a special-ability certificate",
            Claimable {
                kind: CredentialKind::SpecialAbility,
                ..base.clone()
            },
            "2025-06-01",
            vec![],
            "SKILL_LEVEL_CERTIFICATE",
        ),
        (
            "a revoked certificate",
            Claimable {
                revoked: true,
                ..base.clone()
            },
            "2025-06-01",
            vec![],
            "NOT_REVOKED",
        ),
        (
            "the day after the 12 months",
            base.clone(),
            "2026-03-11",
            vec![],
            "WITHIN_12_MONTHS",
        ),
        (
            "a day before the issue",
            base.clone(),
            "2025-03-09",
            vec![],
            "WITHIN_12_MONTHS",
        ),
        (
            "claimed at the same sub-type and level",
            base.clone(),
            "2026-01-05",
            vec![paid(SELLER, 4, "2025-04-01")],
            "NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL",
        ),
        (
            "claimed at a higher level of the sub-type",
            base.clone(),
            "2026-01-05",
            vec![paid(SELLER, 3, "2025-04-01")],
            "NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL",
        ),
        (
            "the year's one claim used on another sub-type",
            base.clone(),
            "2025-06-01",
            vec![paid(SkillSubtype::VideoPromoter, 5, "2025-02-01")],
            "YEARLY_LIMIT",
        ),
        (
            "a level without an amount",
            skill(SELLER, 2, "2025-03-10"),
            "2025-06-01",
            vec![],
            "AMOUNT_FOR_LEVEL",
        ),
    ];
    for (what, cert, on, claims, rule) in cases {
        let decision = decide(&cert, day(on), &claims, &policy);
        assert!(!decision.eligible, "{what}");
        assert_eq!(decision.amount, None, "{what}");
        assert_eq!(failed(&decision), [rule], "{what}");
        assert_eq!(
            decision.first_failure().map(|r| r.rule.as_str()),
            Some(rule)
        );
    }
}

#[test]
fn the_last_day_of_the_12_months_still_counts() {
    let decision = decide(
        &skill(SELLER, 5, "2024-02-29"),
        day("2025-02-28"),
        &[],
        &SubsidyPolicy::default(),
    );
    assert_eq!(decision.claim_by, day("2025-02-28"));
    assert!(decision.eligible);
}

#[test]
fn a_claim_at_a_lower_level_or_another_sub_type_does_not_block_a_higher_level() {
    let policy = SubsidyPolicy {
        claims_per_year: 3,
        ..SubsidyPolicy::default()
    };
    let claims = [
        paid(SELLER, 5, "2025-01-10"),
        paid(SkillSubtype::ProductSelector, 3, "2025-02-10"),
    ];
    let decision = decide(
        &skill(SELLER, 4, "2025-03-10"),
        day("2025-06-01"),
        &claims,
        &policy,
    );
    assert!(decision.eligible, "{:?}", decision.reasons);
    assert_eq!(decision.amount, Some(1500));
}

#[test]
fn the_yearly_limit_counts_claims_of_the_calendar_year_only() {
    let claims = [paid(SkillSubtype::VideoPromoter, 5, "2024-12-31")];
    let decision = decide(
        &skill(SELLER, 4, "2024-12-01"),
        day("2025-01-01"),
        &claims,
        &SubsidyPolicy::default(),
    );
    assert!(decision.eligible, "{:?}", decision.reasons);
}

#[test]
fn amounts_parse_and_bad_amounts_are_refused() {
    assert_eq!(
        SubsidyAmounts::parse("5:1000,4:1500,3:2000"),
        Ok(SubsidyAmounts::default())
    );
    assert_eq!(
        SubsidyAmounts::parse(" 2 : 3000 ").unwrap().at(2),
        Some(3000)
    );
    assert_eq!(SubsidyAmounts::parse("").unwrap().at(5), None);
    for bad in ["5=1000", "6:1000", "0:1", "5:0", "5:-3", "5:abc", "5:1,5:2"] {
        assert!(SubsidyAmounts::parse(bad).is_err(), "{bad}");
    }
}
