//! National credentials in tests: an evaluation organisation, valid national numbers,
//! `recordSkillCertificate`, a programme counting chosen kinds.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::app::TestApp;
use super::flows::{programme_ends, programme_starts};
use super::gql::{Gql, id_at};

/// `recordSkillCertificate`, selecting what a clerk checks.
pub const RECORD_SKILL: &str = "mutation($input: RecordSkillCertificateInput!) {
  recordSkillCertificate(input: $input) {
    id number kind occupationCode subtype nationalNumber level track issuedOn status
    institution { id } course { id assessment subtype level meetsStandardHours }
  }
}";

/// A valid national number: `letter`, six digits of region, six of the organisation,
/// the year of `issued_on`, `level`, and a random six-digit serial.
pub fn national_number(letter: char, issued_on: NaiveDate, level: i32) -> String {
    let serial: u32 = rand::random::<u32>() % 1_000_000;
    let region: u32 = rand::random::<u32>() % 1_000_000;
    format!(
        "{letter}440300{region:06}{:02}{level}{serial:06}",
        issued_on.year() % 100
    )
}

/// The input of a SKILL_LEVEL certificate of `trainee` with a valid fresh number.
pub fn skill(trainee: &str, subtype: &str, level: i32, issued_on: NaiveDate) -> Value {
    json!({
        "traineeId": trainee,
        "kind": "SKILL_LEVEL",
        "subtype": subtype,
        "level": level,
        "nationalNumber": national_number('S', issued_on, level),
        "issuedOn": issued_on.to_string(),
    })
}

/// `recordSkillCertificate` of `input` as `token`.
pub async fn record_skill(app: &TestApp, token: &str, input: Value) -> Gql {
    app.graphql_as(Some(token), RECORD_SKILL, json!({ "input": input }))
        .await
}

/// Records `input` as `token` and returns the certificate (panics on an error).
pub async fn recorded(app: &TestApp, token: &str, input: Value) -> Value {
    record_skill(app, token, input).await.data()["recordSkillCertificate"].clone()
}

/// A programme around today counting `kinds`, targets 10 and 10; returns its id.
pub async fn programme_counting(app: &TestApp, admin: &str, kinds: &[&str]) -> String {
    let response = app
        .graphql_as(
            Some(admin),
            "mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) { id countedKinds } }",
            json!({ "input": {
                "name": "Programme counting chosen kinds",
                "startsOn": programme_starts().to_string(),
                "endsOn": programme_ends().to_string(),
                "targets": [
                    { "track": "HOST", "target": 10 },
                    { "track": "PROFESSIONAL", "target": 10 },
                ],
                "countedKinds": kinds,
            }}),
        )
        .await;
    assert_eq!(
        response.data()["createProgramme"]["countedKinds"],
        json!(kinds),
        "countedKinds as created"
    );
    id_at(&response.data()["createProgramme"])
}
