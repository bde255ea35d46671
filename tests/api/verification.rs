//! `verifyCertificate`: public, masked, the same answer for every miss, rate-limited;
//! expired certificates.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app, spawn_app_with};
use crate::support::fixtures::{self, Institution, NewCourse, World};
use crate::support::flows::{certify, complete_with, enrolled, revoke};
use crate::support::ids::resident_id;
use crate::support::reads::{self, verify};

/// A certificate of a person with a known name and identity number.
struct Holder {
    city: World,
    issuer: Institution,
    name: &'static str,
    id_number: String,
    number: String,
}

async fn holder(app: &TestApp) -> Holder {
    let city = app.world().await;
    let issuer = city.institution_in("南山").await;
    let course = issuer.course(NewCourse::professional().level(4)).await;
    let name = "张三丰";
    let id_number = resident_id();
    let trainee = issuer.person(name, &id_number).await;
    let number = certify(app, &issuer.admin, &trainee, &course).await;
    Holder {
        city,
        issuer,
        name,
        id_number,
        number,
    }
}

/// The `verifyCertificate` object without its echoed `number`.
fn without_number(response: &Value) -> Value {
    let mut answer = response["verifyCertificate"].clone();
    answer.as_object_mut().unwrap().remove("number");
    answer
}

/// Asserts that a response shows no personal data of `holder`.
fn assert_no_personal_data(holder: &Holder, body: &Value) {
    let text = body.to_string();
    assert!(!text.contains(holder.name), "full name in {text}");
    assert!(!text.contains(&holder.id_number), "id number in {text}");
    assert!(
        !text.contains(&holder.id_number[6..14]),
        "birth date in {text}"
    );
}

#[tokio::test]
async fn the_right_number_and_name_verify_with_masked_holder_and_issuer() {
    let app = spawn_app().await;
    let holder = holder(&app).await;

    let response = verify(&app, &holder.number, holder.name).await;

    let answer = &response.data()["verifyCertificate"];
    assert_eq!(answer["number"], holder.number.as_str());
    assert_eq!(answer["valid"], true);
    assert_eq!(answer["status"], "VALID");
    assert_eq!(answer["holderNameMasked"], "张**");
    assert_eq!(answer["issuer"], holder.issuer.name.as_str());
    assert_eq!(answer["track"], "PROFESSIONAL");
    assert_eq!(answer["level"], 4);
    assert!(answer["issuedAt"].is_string());
    assert!(answer["expiresAt"].is_null());
    assert_no_personal_data(&holder, &response.body);
}

#[tokio::test]
async fn a_name_verifies_in_any_unicode_form_and_with_full_width_spaces() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    // (registered as, verified as): composed and decomposed accents, a CJK
    // compatibility ideograph and its unified form, full-width and doubled spaces.
    let cases = [
        ("José Núñez", "Jose\u{301} Nu\u{301}n\u{303}ez"),
        ("Jose\u{301} Nu\u{301}n\u{303}ez", "José Núñez"),
        ("金\u{8C48}", "金\u{F900}"),
        ("欧阳 娜娜", "\u{3000}欧阳\u{3000}\u{3000}娜娜\u{3000}"),
    ];

    for (registered, typed) in cases {
        let (trainee, _) = fixtures::register_id(&app, &staff, registered, &resident_id()).await;
        let number = certify(&app, &staff, &trainee, &course).await;

        let response = verify(&app, &number, typed).await;

        let answer = &response.data()["verifyCertificate"];
        assert_eq!(answer["valid"], true, "{registered:?} typed as {typed:?}");
    }
}

#[tokio::test]
async fn a_number_typed_in_lowercase_with_spaces_verifies() {
    let app = spawn_app().await;
    let holder = holder(&app).await;
    let typed = format!(" {} ", holder.number.to_lowercase());

    let response = verify(&app, &typed, holder.name).await;

    let answer = &response.data()["verifyCertificate"];
    assert_eq!(answer["valid"], true, "{}", response.body);
    assert_eq!(answer["holderNameMasked"], "张**");
}

#[tokio::test]
async fn a_wrong_name_gets_exactly_the_answer_of_an_unknown_number() {
    let app = spawn_app().await;
    let holder = holder(&app).await;
    let unknown = if holder.number.ends_with('0') {
        format!("{}1", &holder.number[..16])
    } else {
        format!("{}0", &holder.number[..16])
    };

    let wrong_name = verify(&app, &holder.number, "李四").await;
    let unknown_number = verify(&app, &unknown, holder.name).await;
    let malformed = verify(&app, "H2026", holder.name).await;

    let expected = json!({
        "valid": false, "status": null, "holderNameMasked": null, "track": null,
        "level": null, "issuer": null, "issuedAt": null, "expiresAt": null,
    });
    for (why, response) in [
        ("wrong name", &wrong_name),
        ("unknown number", &unknown_number),
        ("malformed number", &malformed),
    ] {
        assert_eq!(without_number(response.data()), expected, "{why}");
        assert_no_personal_data(&holder, &response.body);
    }
    assert_eq!(
        without_number(wrong_name.data()),
        without_number(unknown_number.data())
    );
}

#[tokio::test]
async fn a_revoked_certificate_is_not_valid_and_says_revoked() {
    let app = spawn_app().await;
    let holder = holder(&app).await;
    revoke(&app, Some(&holder.issuer.admin), &holder.number, "fraud")
        .await
        .data();

    let response = verify(&app, &holder.number, holder.name).await;

    let answer = &response.data()["verifyCertificate"];
    assert_eq!(answer["valid"], false);
    assert_eq!(answer["status"], "REVOKED");
    assert_eq!(answer["holderNameMasked"], "张**");
    assert_no_personal_data(&holder, &response.body);
    assert!(
        !response.body.to_string().contains("fraud"),
        "the reason is internal"
    );
}

#[tokio::test]
async fn verification_needs_no_account_and_signed_in_callers_see_the_same() {
    let app = spawn_app().await;
    let holder = holder(&app).await;

    let anonymous = verify(&app, &holder.number, holder.name).await;
    let admin = app
        .graphql_as(
            Some(&holder.city.admin),
            reads::VERIFY,
            json!({ "number": holder.number, "holderName": holder.name }),
        )
        .await;

    assert_eq!(anonymous.data(), admin.data());
}

#[tokio::test]
async fn quick_repeated_verifications_from_one_client_are_rate_limited() {
    let app = spawn_app().await;
    let holder = holder(&app).await;

    let mut codes = Vec::new();
    for _ in 0..35 {
        let response = verify(&app, &holder.number, holder.name).await;
        if response.body.get("errors").is_some() {
            codes.push(response.code().to_owned());
            assert_no_personal_data(&holder, &response.body);
        }
    }

    assert!(!codes.is_empty(), "35 calls in a row were all answered");
    assert!(codes.iter().all(|c| c == "RATE_LIMITED"), "{codes:?}");
}

#[tokio::test]
async fn a_rate_limited_client_is_answered_again_once_the_minute_has_passed() {
    let app = spawn_app_with(|settings| settings.verify_per_minute = 2).await;
    let holder = holder(&app).await;
    for _ in 0..2 {
        verify(&app, &holder.number, holder.name).await.data();
    }
    let refused = verify(&app, &holder.number, holder.name).await;

    app.advance_clock(Duration::from_secs(60));
    let response = verify(&app, &holder.number, holder.name).await;

    assert_eq!(refused.code(), "RATE_LIMITED", "{}", refused.body);
    assert_eq!(response.data()["verifyCertificate"]["valid"], true);
}

#[tokio::test]
async fn an_expiry_in_the_past_is_refused_and_an_expired_certificate_still_counts() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let programme = fixtures::programme(&app, &admin, 10, 10).await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let trainee = fixtures::trainee(&app, &staff).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;
    let at = |seconds: i64| (Utc::now() + TimeDelta::seconds(seconds)).to_rfc3339();

    let past = complete_with(
        &app,
        &staff,
        json!({ "enrolmentId": enrolment, "passed": true, "expiresAt": at(-60) }),
    )
    .await;
    let soon = complete_with(
        &app,
        &staff,
        json!({ "enrolmentId": enrolment, "passed": true, "expiresAt": at(2) }),
    )
    .await;
    app.advance_clock(Duration::from_secs(3));

    assert_eq!(past.code(), "BAD_USER_INPUT");
    assert_eq!(past.field(), Some("expiresAt"));
    let number = soon.data()["completeEnrolment"]["certificate"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let verified = reads::verify(&app, &number, "张三").await;
    let answer = &verified.data()["verifyCertificate"];
    assert_eq!(answer["status"], "EXPIRED");
    assert_eq!(answer["valid"], false);
    assert!(answer["expiresAt"].is_string());
    assert_eq!(
        reads::counts(&app, &admin, &programme, "HOST").await,
        (1, 0),
        "a person certified once stays certified after the certificate expires"
    );
}
