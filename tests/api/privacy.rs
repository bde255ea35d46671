//! No response ever carries a full identity-document number, name or phone number,
//! whichever document type, field, caller or error.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::support::app::{USER_PASSWORD, spawn_app};
use crate::support::gql::{ACTIVATE, Gql, REGISTER};
use crate::support::ids::{digits, mod_11_2, resident_id, username, with_wrong_check};

/// Every field of a trainee, nested ones included.
const TRAINEE_FIELDS: &str = "id name idNumberMasked idType phoneMasked district
  enrolments { id status } certificates { id number }";

/// One person per document type; the numbers as typed (lowercase, spaces) and normalized.
fn people() -> Vec<(&'static str, String, &'static str)> {
    let resident = resident_id();
    let permanent_2023 = {
        let body = format!("9{}", digits(16));
        let check = mod_11_2(&body);
        format!("{body}{check}")
    };
    vec![
        ("RESIDENT_ID", resident, "欧阳娜娜"),
        ("PASSPORT", format!("E{}", digits(8)), "Jane Smith"),
        ("HK_MACAO_PERMIT", format!("H{}", digits(8)), "陈大文"),
        ("TAIWAN_PERMIT", digits(10), "林志玲"),
        (
            "FOREIGN_PERMANENT_RESIDENT_ID",
            format!("USA{}", digits(12)),
            "John Doe",
        ),
        (
            "FOREIGN_PERMANENT_RESIDENT_ID",
            permanent_2023,
            "Marie Curie",
        ),
    ]
}

/// Fails when any body contains a secret.
fn assert_no_leak(responses: &[(String, Gql)], secrets: &[String]) {
    for (what, response) in responses {
        let body = response.body.to_string();
        for secret in secrets {
            assert!(
                !body.contains(secret.as_str()),
                "{what} leaks {secret:?}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn no_response_contains_a_full_identity_number_and_only_owners_see_names_and_phones() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, institution_admin) = app.institution_with_admin(&admin).await;
    // Answers to the city and to the anonymous: no number, name or phone whole.
    let mut responses = Vec::new();
    // Answers to the owning institution and to the person: names and phones whole,
    // never a document number.
    let mut owner_responses = Vec::new();
    let mut numbers = Vec::new();
    let mut secrets = Vec::new();
    let mut trainee_tokens = Vec::new();

    for (id_type, number, name) in people() {
        let typed = number.to_lowercase();
        let input = json!({ "name": name, "idType": id_type, "idNumber": typed, "phone": "13912345678", "district": "Futian" });
        let registered = app
            .graphql_as(
                Some(&institution_admin),
                REGISTER,
                json!({ "input": input }),
            )
            .await;
        let again = app
            .graphql_as(
                Some(&institution_admin),
                REGISTER,
                json!({ "input": input }),
            )
            .await;
        let code = registered.data()["registerTrainee"]["activationCode"]
            .as_str()
            .unwrap()
            .to_owned();
        let session = app
            .graphql(
                ACTIVATE,
                json!({ "input": { "activationCode": code, "username": username(), "password": USER_PASSWORD } }),
            )
            .await;
        let token = session.data()["activateTraineeAccount"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let filtered = app
            .graphql_as(
                Some(&admin),
                &format!("query($t: IdType, $n: String) {{ trainees(filter: {{ idType: $t, idNumber: $n }}) {{ totalCount edges {{ node {{ {TRAINEE_FIELDS} }} }} }} }}"),
                json!({ "t": id_type, "n": typed }),
            )
            .await;
        assert_eq!(
            filtered.data()["trainees"]["totalCount"],
            1,
            "{id_type} lookup"
        );
        owner_responses.push((format!("registerTrainee of {id_type}"), registered));
        owner_responses.push((format!("registerTrainee again of {id_type}"), again));
        responses.push((format!("activateTraineeAccount of {id_type}"), session));
        responses.push((format!("trainees filtered by {id_type} number"), filtered));
        numbers.extend([number.clone(), typed]);
        secrets.extend([name.to_owned(), "13912345678".to_owned()]);
        trainee_tokens.push(token);
    }
    let list = format!(
        "{{ trainees(first: 100) {{ totalCount edges {{ cursor node {{ {TRAINEE_FIELDS} }} }} }} }}"
    );
    let me = "{ me { id username role institution { id name } } }";
    for (who, token) in [
        ("CITY_ADMIN", &admin),
        ("INSTITUTION_ADMIN", &institution_admin),
    ] {
        let all = app.graphql_as(Some(token), &list, json!({})).await;
        assert_eq!(
            all.data()["trainees"]["totalCount"],
            6,
            "{who} sees all six"
        );
        if who == "CITY_ADMIN" {
            responses.push((format!("trainees as {who}"), all));
        } else {
            owner_responses.push((format!("trainees as {who}"), all));
        }
        responses.push((
            format!("me as {who}"),
            app.graphql_as(Some(token), me, json!({})).await,
        ));
    }
    for token in &trainee_tokens {
        owner_responses.push((
            "trainees as TRAINEE".to_owned(),
            app.graphql_as(Some(token), &list, json!({})).await,
        ));
        responses.push((
            "me as TRAINEE".to_owned(),
            app.graphql_as(Some(token), me, json!({})).await,
        ));
    }

    secrets.extend(numbers.iter().cloned());
    assert_no_leak(&responses, &secrets);
    assert_no_leak(&owner_responses, &numbers);
    let stored = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT * FROM trainee",
        ))
        .await
        .unwrap();
    let stored = format!("{stored:?}");
    for number in &numbers {
        assert!(
            !stored.contains(number.as_str()),
            "{number} is stored in plain text"
        );
    }
}

#[tokio::test]
async fn refusals_of_a_document_or_a_name_do_not_echo_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let wrong = with_wrong_check(&resident_id(), "0123456789X");
    let cases: Vec<(&str, Value, String)> = vec![
        (
            "wrong check digit",
            json!({ "name": "张三", "idNumber": wrong }),
            wrong.clone(),
        ),
        (
            "17-digit resident ID",
            json!({ "name": "张三", "idNumber": &wrong[..17] }),
            wrong[..17].to_owned(),
        ),
        (
            "passport with a hyphen",
            json!({ "name": "张三", "idType": "PASSPORT", "idNumber": "E7654-3210" }),
            "E7654-3210".to_owned(),
        ),
        (
            "name with a digit",
            json!({ "name": "欧阳娜娜9", "idNumber": resident_id() }),
            "欧阳娜娜9".to_owned(),
        ),
        (
            "bad phone",
            json!({ "name": "张三", "idNumber": resident_id(), "phone": "12876543210" }),
            "12876543210".to_owned(),
        ),
        ("document filter", json!(null), wrong.clone()),
    ];

    for (why, input, secret) in cases {
        let response = if input.is_null() {
            app.graphql_as(
                Some(&admin),
                "query($n: String) { trainees(filter: { idNumber: $n }) { totalCount } }",
                json!({ "n": secret }),
            )
            .await
        } else {
            app.graphql_as(Some(&staff), REGISTER, json!({ "input": input }))
                .await
        };
        assert_eq!(response.code(), "BAD_USER_INPUT", "{why}");
        assert_no_leak(&[(why.to_owned(), response)], &[secret]);
    }
}
