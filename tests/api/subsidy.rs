//! The skill-upgrade subsidy: `subsidyEligibility` with every rule, `recordSubsidyClaim`
//! with each refusal's code and field, who may do either, the settings, and two claims
//! for one person at once.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::credentials::{recorded, skill};
use crate::support::fixtures::{Institution, World, trainee_account};
use crate::support::flows::{days_from_today, today};
use crate::support::gql::Gql;

const ELIGIBILITY: &str = "query($id: ID!) { subsidyEligibility(traineeId: $id) {
  certificate { id kind level subtype } eligible amountCny claimBy reasons { rule passed message }
} }";

const CLAIM: &str = "mutation($input: RecordSubsidyClaimInput!) {
  recordSubsidyClaim(input: $input) { id paidOn amountCny certificate { id } }
}";

async fn eligibility(app: &TestApp, token: Option<&str>, trainee: &str) -> Gql {
    app.graphql_as(token, ELIGIBILITY, json!({ "id": trainee }))
        .await
}

async fn claim(app: &TestApp, token: &str, certificate: &str, paid_on: &str, amount: i32) -> Gql {
    app.graphql_as(
        Some(token),
        CLAIM,
        json!({ "input": { "certificateId": certificate, "paidOn": paid_on, "amountCny": amount } }),
    )
    .await
}

/// The decision about `certificate` in an eligibility answer.
fn decision<'a>(response: &'a Gql, certificate: &str) -> &'a Value {
    response.data()["subsidyEligibility"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["certificate"]["id"] == certificate)
        .unwrap_or_else(|| panic!("no decision on {certificate}: {}", response.body))
}

/// The rules of a decision that failed.
fn failed(decision: &Value) -> Vec<String> {
    decision["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// A skill certificate of `trainee` recorded by `evaluator`; returns its id.
async fn skill_certificate(
    app: &TestApp,
    evaluator: &Institution,
    trainee: &str,
    subtype: &str,
    level: i32,
    days_ago: i64,
) -> String {
    let input = skill(trainee, subtype, level, days_from_today(-days_ago));
    recorded(app, &evaluator.admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn evaluator_and_trainee(world: &World) -> (Institution, String) {
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    (evaluator, trainee)
}

#[tokio::test]
async fn a_fresh_skill_certificate_is_eligible_and_every_rule_is_listed_in_words() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let cert = skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 4, 30).await;
    let completion = evaluator.certified(&trainee).await;

    let response = eligibility(&app, Some(&evaluator.admin), &trainee).await;
    let eligible = decision(&response, &cert);
    assert_eq!(eligible["eligible"], true, "{eligible}");
    assert_eq!(eligible["amountCny"], 1500);
    let issued = days_from_today(-30);
    let claim_by = issued.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(eligible["claimBy"], claim_by.to_string());
    let rules: Vec<&str> = eligible["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
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
    assert!(
        eligible["reasons"][2]["message"]
            .as_str()
            .unwrap()
            .contains(&claim_by.to_string()),
        "the clerk reads the last day: {eligible}"
    );
    let completions: Vec<&Value> = response.data()["subsidyEligibility"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["certificate"]["kind"] == "TRAINING_COMPLETION")
        .collect();
    assert_eq!(completions.len(), 1, "{completion}");
    assert_eq!(completions[0]["eligible"], false);
    assert_eq!(failed(completions[0])[0], "SKILL_LEVEL_CERTIFICATE");
}

#[tokio::test]
async fn each_subsidy_rule_refuses_a_claim_with_its_code_and_field_and_writes_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let paid = skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 3, 10).await;
    let today = today().to_string();
    assert!(
        claim(&app, &world.admin, &paid, &today, 2000)
            .await
            .body
            .get("errors")
            .is_none()
    );

    let same_level = skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 3, 5).await;
    let lower_level =
        skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 4, 5).await;
    let other = evaluator.trainee().await;
    let old = skill_certificate(&app, &evaluator, &other, "PRODUCT_SELECTOR", 5, 400).await;
    let level_two = skill_certificate(&app, &evaluator, &other, "PRODUCT_SELECTOR", 2, 5).await;
    let fresh = skill_certificate(&app, &evaluator, &other, "VIDEO_PROMOTER", 5, 20).await;
    let revoked_number = {
        let input = skill(&other, "VIDEO_PROMOTER", 4, days_from_today(-3));
        let number = input["nationalNumber"].as_str().unwrap().to_owned();
        let id = recorded(&app, &evaluator.admin, input).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        crate::support::flows::revoke(&app, Some(&world.admin), &number, "recorded in error").await;
        id
    };
    let completion_number = evaluator.certified(&other).await;
    let completion = app
        .graphql_as(
            Some(&world.admin),
            "query($id: ID!) { subsidyEligibility(traineeId: $id) { certificate { id number } } }",
            json!({ "id": other }),
        )
        .await
        .data()["subsidyEligibility"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["certificate"]["number"] == completion_number.as_str())
        .unwrap()["certificate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tomorrow = days_from_today(1).to_string();
    let before_issue = days_from_today(-21).to_string();
    let cases = [
        (
            "a completion certificate",
            &completion,
            today.as_str(),
            1000,
            "BAD_USER_INPUT",
            "certificateId",
        ),
        (
            "a revoked certificate",
            &revoked_number,
            today.as_str(),
            1500,
            "CONFLICT",
            "certificateId",
        ),
        (
            "12 months after issue",
            &old,
            today.as_str(),
            1000,
            "BAD_USER_INPUT",
            "paidOn",
        ),
        (
            "paid before the issue",
            &fresh,
            before_issue.as_str(),
            1000,
            "BAD_USER_INPUT",
            "paidOn",
        ),
        (
            "paid tomorrow",
            &fresh,
            tomorrow.as_str(),
            1000,
            "BAD_USER_INPUT",
            "paidOn",
        ),
        (
            "the same sub-type and level again",
            &same_level,
            today.as_str(),
            2000,
            "CONFLICT",
            "certificateId",
        ),
        (
            "a lower level after a higher one",
            &lower_level,
            today.as_str(),
            1500,
            "CONFLICT",
            "certificateId",
        ),
        (
            "a level without an amount",
            &level_two,
            today.as_str(),
            1000,
            "BAD_USER_INPUT",
            "certificateId",
        ),
        (
            "more than the level's amount",
            &fresh,
            today.as_str(),
            1001,
            "BAD_USER_INPUT",
            "amountCny",
        ),
        (
            "no amount",
            &fresh,
            today.as_str(),
            0,
            "BAD_USER_INPUT",
            "amountCny",
        ),
    ];
    for (what, certificate, paid_on, amount, code, field) in cases {
        let response = claim(&app, &world.admin, certificate, paid_on, amount).await;
        assert_eq!(response.code(), code, "{what}: {}", response.body);
        assert_eq!(response.field(), Some(field), "{what}");
    }
    let unknown = claim(
        &app,
        &world.admin,
        &uuid::Uuid::now_v7().to_string(),
        &today,
        1000,
    )
    .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
    assert_eq!(
        app.count("subsidy_claim").await,
        1,
        "only the first claim was written"
    );

    // The year's one claim of `other`, then the yearly limit.
    let first = claim(&app, &world.admin, &fresh, &today, 1000).await;
    assert_eq!(first.data()["recordSubsidyClaim"]["amountCny"], 1000);
    let another = skill_certificate(&app, &evaluator, &other, "PLATFORM_MANAGER", 5, 2).await;
    let capped = claim(&app, &world.admin, &another, &today, 1000).await;
    assert_eq!(capped.code(), "CONFLICT");
    assert_eq!(capped.field(), Some("paidOn"));
    let response = eligibility(&app, Some(&world.admin), &other).await;
    assert_eq!(failed(decision(&response, &another)), ["YEARLY_LIMIT"]);
    assert_eq!(
        app.count("audit_log WHERE action = 'recordSubsidyClaim'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_claim_paid_last_year_does_not_use_this_years_limit() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let today = today();
    let last_year_end = chrono::NaiveDate::from_ymd_opt(today.year() - 1, 12, 31).unwrap();
    let days_back = (today - last_year_end).num_days() + 10;
    let earlier =
        skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 5, days_back).await;
    let paid = claim(
        &app,
        &world.admin,
        &earlier,
        &last_year_end.to_string(),
        1000,
    )
    .await;
    assert!(paid.body.get("errors").is_none(), "{}", paid.body);

    let now = skill_certificate(&app, &evaluator, &trainee, "PRODUCT_SELECTOR", 4, 1).await;
    let response = eligibility(&app, Some(&world.admin), &trainee).await;
    assert_eq!(decision(&response, &now)["eligible"], true);
    let blocked = decision(&response, &earlier);
    assert_eq!(
        failed(blocked),
        ["NOT_CLAIMED_AT_THIS_OR_HIGHER_LEVEL"],
        "claimed already"
    );
}

#[tokio::test]
async fn the_yearly_limit_and_amounts_follow_the_settings() {
    let app = spawn_app_with(|s| {
        s.subsidy_claims_per_year = 2;
        s.subsidy_amounts = talent_registry::domain::SubsidyAmounts::parse("5:800,2:3000").unwrap();
    })
    .await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let five = skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 5, 3).await;
    let two = skill_certificate(&app, &evaluator, &trainee, "PRODUCT_SELECTOR", 2, 3).await;
    let four = skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 4, 3).await;
    let response = eligibility(&app, Some(&world.admin), &trainee).await;
    assert_eq!(decision(&response, &five)["amountCny"], 800);
    assert_eq!(decision(&response, &two)["amountCny"], 3000);
    assert_eq!(failed(decision(&response, &four)), ["AMOUNT_FOR_LEVEL"]);
    let today = today().to_string();
    for (cert, amount) in [(&five, 800), (&two, 3000)] {
        let paid = claim(&app, &world.admin, cert, &today, amount).await;
        assert!(paid.body.get("errors").is_none(), "{}", paid.body);
    }
    let third = skill_certificate(&app, &evaluator, &trainee, "PLATFORM_MANAGER", 5, 1).await;
    let capped = claim(&app, &world.admin, &third, &today, 800).await;
    assert_eq!(capped.code(), "CONFLICT", "two a year: {}", capped.body);
}

#[tokio::test]
async fn two_claims_for_one_person_at_once_admit_one_under_a_yearly_limit_of_one() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let a = skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 5, 3).await;
    let b = skill_certificate(&app, &evaluator, &trainee, "PRODUCT_SELECTOR", 5, 3).await;
    let same = skill_certificate(&app, &evaluator, &trainee, "LIVESTREAM_SELLER", 5, 3).await;
    let today = today().to_string();
    let (first, second, third) = tokio::join!(
        claim(&app, &world.admin, &a, &today, 1000),
        claim(&app, &world.admin, &b, &today, 1000),
        claim(&app, &world.admin, &same, &today, 1000),
    );
    let admitted = [&first, &second, &third]
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(
        admitted, 1,
        "{} / {} / {}",
        first.body, second.body, third.body
    );
    for refused in [&first, &second, &third]
        .iter()
        .filter(|r| r.body.get("errors").is_some())
    {
        assert_eq!(refused.code(), "CONFLICT", "{}", refused.body);
    }
    assert_eq!(app.count("subsidy_claim").await, 1);
}

#[tokio::test]
async fn the_same_certificate_claimed_twice_at_once_is_paid_once() {
    let app = spawn_app_with(|s| s.subsidy_claims_per_year = 5).await;
    let world = app.world().await;
    let (evaluator, trainee) = evaluator_and_trainee(&world).await;
    let cert = skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 4, 3).await;
    let today = today().to_string();
    let (first, second) = tokio::join!(
        claim(&app, &world.admin, &cert, &today, 1500),
        claim(&app, &world.admin, &cert, &today, 1500),
    );
    let admitted = [&first, &second]
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(admitted, 1, "{} / {}", first.body, second.body);
    assert_eq!(app.count("subsidy_claim").await, 1);
}

#[tokio::test]
async fn eligibility_is_read_by_the_city_admin_owning_institutions_and_the_trainee_only() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let staff = evaluator.staff().await;
    let (trainee, trainee_token) = trainee_account(&app, &evaluator.admin).await;
    let (someone_else, _) = trainee_account(&app, &evaluator.admin).await;
    skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 5, 3).await;
    let analyst = world.user("CITY_ANALYST", None).await;
    let other = world.institution().await;

    for (who, token) in [
        ("the city admin", &world.admin),
        ("the owning admin", &evaluator.admin),
        ("the owning staff", &staff),
        ("the trainee", &trainee_token),
    ] {
        let response = eligibility(&app, Some(token), &trainee).await;
        assert_eq!(
            response.data()["subsidyEligibility"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{who}"
        );
    }
    let refusals = [
        ("anonymous", None, &trainee, "UNAUTHENTICATED"),
        ("an analyst", Some(analyst.as_str()), &trainee, "FORBIDDEN"),
        (
            "another institution",
            Some(other.admin.as_str()),
            &trainee,
            "NOT_FOUND",
        ),
        (
            "another trainee",
            Some(trainee_token.as_str()),
            &someone_else,
            "FORBIDDEN",
        ),
    ];
    for (who, token, whom, code) in refusals {
        let response = eligibility(&app, token, whom).await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
    }
    let unknown = eligibility(&app, Some(&other.admin), &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(
        unknown.code(),
        "NOT_FOUND",
        "an unknown id answers like another's"
    );
}

#[tokio::test]
async fn only_the_city_admin_records_a_claim() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let (trainee, trainee_token) = trainee_account(&app, &evaluator.admin).await;
    let cert = skill_certificate(&app, &evaluator, &trainee, "VIDEO_PROMOTER", 5, 3).await;
    let analyst = world.user("CITY_ANALYST", None).await;
    let staff = evaluator.staff().await;
    let today = today().to_string();
    for (who, token) in [
        ("an analyst", analyst.as_str()),
        ("the evaluator's admin", evaluator.admin.as_str()),
        ("the evaluator's staff", staff.as_str()),
        ("the trainee", trainee_token.as_str()),
    ] {
        let response = claim(&app, token, &cert, &today, 1000).await;
        assert_eq!(response.code(), "FORBIDDEN", "{who}: {}", response.body);
    }
    let anonymous = app
        .graphql_as(
            None,
            CLAIM,
            json!({ "input": { "certificateId": cert, "paidOn": today, "amountCny": 1000 } }),
        )
        .await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    assert_eq!(app.count("subsidy_claim").await, 0);
    let paid = claim(&app, &world.admin, &cert, &today, 1000).await;
    assert_eq!(
        paid.data()["recordSubsidyClaim"]["certificate"]["id"],
        cert.as_str()
    );
}
