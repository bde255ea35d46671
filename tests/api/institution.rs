//! `createInstitution`: credit code, district and name rules, normalization, conflicts.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::gql::CREATE_INSTITUTION;
use crate::support::hostile::with;
use crate::support::ids::{credit_code, with_wrong_check};

const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn valid() -> Value {
    json!({ "name": "Nanshan Livestream Academy", "creditCode": credit_code(), "district": "Nanshan", "kind": "TRAINING_INSTITUTION" })
}

#[tokio::test]
async fn every_invalid_institution_input_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let code = credit_code();
    let base = valid();
    let mut letter_i = code.clone();
    letter_i.replace_range(10..11, "I");

    let cases = vec![
        (
            "credit code of 17 characters",
            with(&base, "creditCode", &code[..17]),
            "creditCode",
        ),
        (
            "credit code of 19 characters",
            with(&base, "creditCode", format!("{code}0")),
            "creditCode",
        ),
        (
            "credit code with a wrong check character",
            with(
                &base,
                "creditCode",
                with_wrong_check(&code, CREDIT_ALPHABET),
            ),
            "creditCode",
        ),
        (
            "credit code with I, outside the alphabet",
            with(&base, "creditCode", letter_i),
            "creditCode",
        ),
        (
            "credit code with a letter in the region code",
            with(&base, "creditCode", format!("91A{}", &code[3..])),
            "creditCode",
        ),
        (
            "empty credit code",
            with(&base, "creditCode", ""),
            "creditCode",
        ),
        (
            "unknown district",
            with(&base, "district", "Xinyi"),
            "district",
        ),
        (
            "district of another city",
            with(&base, "district", "海淀区"),
            "district",
        ),
        ("empty district", with(&base, "district", "  "), "district"),
        ("empty name", with(&base, "name", ""), "name"),
        ("blank name", with(&base, "name", " \n "), "name"),
        (
            "name of 201 characters",
            with(&base, "name", "培".repeat(201)),
            "name",
        ),
        (
            "name with a bell character",
            with(&base, "name", "Acme\u{7}Academy"),
            "name",
        ),
        (
            "name with a newline",
            with(&base, "name", "Acme\nAcademy"),
            "name",
        ),
        (
            "name with a right-to-left override",
            with(&base, "name", "Acme\u{202E}ymedacA"),
            "name",
        ),
    ];

    app.assert_refused(&admin, CREATE_INSTITUTION, "institution", cases)
        .await;
}

#[tokio::test]
async fn an_unknown_institution_kind_is_refused_without_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let response = app
        .graphql_as(
            Some(&admin),
            CREATE_INSTITUTION,
            json!({ "input": with(&valid(), "kind", "UNIVERSITY") }),
        )
        .await;

    assert!(response.status < 500);
    assert_eq!(response.code(), "BAD_USER_INPUT");
    assert_eq!(app.count("institution").await, 0);
}

#[tokio::test]
async fn accepted_spellings_are_normalized_in_the_response() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let lower = credit_code().to_lowercase();
    let padded = format!("  {}  ", credit_code());
    let base = valid();
    let cases = [
        (
            "lowercase credit code",
            with(&base, "creditCode", lower.clone()),
            "creditCode",
            lower.to_uppercase(),
        ),
        (
            "padded credit code",
            with(&base, "creditCode", padded.clone()),
            "creditCode",
            padded.trim().to_owned(),
        ),
        (
            "Chinese district",
            with(&base, "district", "福田"),
            "district",
            "Futian".to_owned(),
        ),
        (
            "Chinese district with 区",
            with(&base, "district", "南山区"),
            "district",
            "Nanshan".to_owned(),
        ),
        (
            "Chinese new district with 新区",
            with(&base, "district", "大鹏新区"),
            "district",
            "Dapeng".to_owned(),
        ),
        (
            "lowercase English district",
            with(&base, "district", "longhua"),
            "district",
            "Longhua".to_owned(),
        ),
        (
            "Bao'an with an apostrophe",
            with(&base, "district", "Bao'an"),
            "district",
            "Baoan".to_owned(),
        ),
        (
            "name of 200 characters",
            with(&base, "name", "培".repeat(200)),
            "name",
            "培".repeat(200),
        ),
        (
            "name with spaces around",
            with(&base, "name", "  Acme Academy "),
            "name",
            "Acme Academy".to_owned(),
        ),
    ];

    for (why, input, field, expected) in cases {
        // A fresh code per row unless the row is about the code.
        let input = if field == "creditCode" {
            input
        } else {
            with(&input, "creditCode", credit_code())
        };
        let response = app
            .graphql_as(Some(&admin), CREATE_INSTITUTION, json!({ "input": input }))
            .await;
        assert!(
            response.body.get("errors").is_none(),
            "{why}: {}",
            response.body
        );
        assert_eq!(
            response.body["data"]["createInstitution"][field], expected,
            "{why}"
        );
    }
}

#[tokio::test]
async fn a_credit_code_registered_twice_is_a_conflict_whatever_its_case() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let code = credit_code();
    let first = app
        .graphql_as(
            Some(&admin),
            CREATE_INSTITUTION,
            json!({ "input": with(&valid(), "creditCode", code.clone()) }),
        )
        .await;
    first.data();

    let same = app
        .graphql_as(
            Some(&admin),
            CREATE_INSTITUTION,
            json!({ "input": with(&valid(), "creditCode", code.clone()) }),
        )
        .await;
    let lower = app
        .graphql_as(
            Some(&admin),
            CREATE_INSTITUTION,
            json!({ "input": with(&valid(), "creditCode", code.to_lowercase()) }),
        )
        .await;

    assert_eq!(same.code(), "CONFLICT");
    assert_eq!(lower.code(), "CONFLICT");
    assert_eq!(app.count("institution").await, 1);
}
