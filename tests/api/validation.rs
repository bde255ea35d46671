//! Input rules of `registerTrainee`, table-driven through the API: identity documents of
//! every type, names, phones and districts.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::gql::REGISTER;
use crate::support::hostile::{Refusal, with};
use crate::support::ids::{
    digits, mod_11_2, resident_id, resident_id_born, resident_id_ending_in_x, with_wrong_check,
};

const RESIDENT: &str = "RESIDENT_ID";
const PASSPORT: &str = "PASSPORT";
const HK_MACAO: &str = "HK_MACAO_PERMIT";
const TAIWAN: &str = "TAIWAN_PERMIT";
const PERMANENT: &str = "FOREIGN_PERMANENT_RESIDENT_ID";

/// A valid person with a fresh resident ID.
fn person() -> Value {
    json!({ "name": "张三", "idType": RESIDENT, "idNumber": resident_id(), "phone": "13812345678", "district": "Nanshan" })
}

/// A valid person holding another document.
fn document(id_type: &str, number: impl Into<Value>) -> Value {
    with(&with(&person(), "idType", id_type), "idNumber", number)
}

/// A refused document: the error names `idNumber`.
fn bad_document(why: &'static str, id_type: &str, number: impl Into<Value>) -> Refusal {
    (why, document(id_type, number), "idNumber")
}

/// A person with one refused `field`: the error names it.
fn bad(why: &'static str, field: &'static str, value: impl Into<Value>) -> Refusal {
    (why, with(&person(), field, value), field)
}

/// A 2023-format foreign permanent resident ID: 9, 16 digits, MOD 11-2 check.
fn permanent_resident_id_2023() -> String {
    let body = format!("9{}", digits(16));
    let check = mod_11_2(&body);
    format!("{body}{check}")
}

#[tokio::test]
async fn every_invalid_person_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let id = resident_id();
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let born_tomorrow = resident_id_born(&tomorrow.format("%Y%m%d").to_string());
    let wrong_check = with_wrong_check(&id, "0123456789X");
    let letter_inside = format!("{}A{}", &id[..10], &id[11..]);
    let wrong_2023 = with_wrong_check(&permanent_resident_id_2023(), "0123456789X");

    let cases = vec![
        bad_document("resident ID of 17 characters", RESIDENT, &id[..17]),
        bad_document("resident ID of 19 characters", RESIDENT, format!("{id}1")),
        bad_document("born in month 13", RESIDENT, resident_id_born("19901301")),
        bad_document(
            "born on 30 February",
            RESIDENT,
            resident_id_born("19900230"),
        ),
        bad_document("born tomorrow", RESIDENT, born_tomorrow),
        bad_document("born before 1900", RESIDENT, resident_id_born("18991231")),
        bad_document("wrong check digit", RESIDENT, wrong_check),
        bad_document("a letter inside a resident ID", RESIDENT, letter_inside),
        bad_document("blank resident ID", RESIDENT, " "),
        bad_document("passport of 4 characters", PASSPORT, "E123"),
        bad_document("passport of 21 characters", PASSPORT, digits(21)),
        bad_document("passport with a hyphen", PASSPORT, "E1234-5678"),
        bad_document(
            "HK/Macao permit with X",
            HK_MACAO,
            format!("X{}", digits(8)),
        ),
        bad_document(
            "HK/Macao permit, 9 digits",
            HK_MACAO,
            format!("H{}", digits(9)),
        ),
        bad_document("Taiwan permit of 7 digits", TAIWAN, digits(7)),
        bad_document(
            "Taiwan permit with a letter",
            TAIWAN,
            format!("T{}", digits(8)),
        ),
        bad_document(
            "2017 PR ID, 2 letters",
            PERMANENT,
            format!("US{}", digits(13)),
        ),
        bad_document("2023 PR ID, wrong check", PERMANENT, wrong_2023),
        bad("name with a digit", "name", "张3"),
        bad("name with a bell character", "name", "张\u{7}三"),
        bad(
            "name with a right-to-left override",
            "name",
            "Ali\u{202E}nahK",
        ),
        bad("name with a zero-width space", "name", "张\u{200B}三"),
        bad("name with markup", "name", "<script>"),
        bad("name of 51 characters", "name", "张".repeat(51)),
        bad("blank name", "name", "  "),
        bad("phone whose second digit is 2", "phone", "12812345678"),
        bad("phone of 10 digits", "phone", "1381234567"),
        bad("phone with letters", "phone", "call me"),
        bad("unknown district", "district", "Xinyi"),
        bad("empty district", "district", ""),
    ];

    app.assert_refused(&staff, REGISTER, "trainee", cases).await;
}

#[tokio::test]
async fn every_document_type_and_accepted_spelling_registers_a_person() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let x = resident_id_ending_in_x();
    let id = resident_id();
    let spaced = format!(" {} {} {} ", &id[..6], &id[6..14], &id[14..]);
    let masked = |id: &str| json!(format!("{}********{}", &id[..6], &id[14..]));
    let good =
        |id_type: &str, number: String| (document(id_type, number), "idType", json!(id_type));
    let accepted = |field: &str, value: &str, shown: &'static str, expected: Value| {
        (with(&person(), field, value), shown, expected)
    };
    let nothing_optional = with(
        &with(&person(), "phone", Value::Null),
        "district",
        Value::Null,
    );
    let name_50 = format!("张{}", "*".repeat(49));

    let cases = [
        (
            "lowercase x",
            (
                document(RESIDENT, x.to_lowercase()),
                "idNumberMasked",
                masked(&x),
            ),
        ),
        (
            "spaces in a resident ID",
            (document(RESIDENT, spaced), "idNumberMasked", masked(&id)),
        ),
        ("passport", good(PASSPORT, format!("E{}", digits(8)))),
        (
            "HK/Macao permit",
            good(HK_MACAO, format!("M{}", digits(10))),
        ),
        ("Taiwan permit", good(TAIWAN, digits(8))),
        ("2017 PR ID", good(PERMANENT, format!("USA{}", digits(12)))),
        ("2023 PR ID", good(PERMANENT, permanent_resident_id_2023())),
        (
            "name of 50",
            accepted("name", &"张".repeat(50), "nameMasked", json!(name_50)),
        ),
        (
            "interpunct",
            accepted("name", "阿依古丽·买买提", "nameMasked", json!("阿*******")),
        ),
        (
            "Latin name",
            accepted("name", "  Jane   Smith ", "name", json!("Jane Smith")),
        ),
        (
            "phone +86",
            accepted(
                "phone",
                "+86 138 1234 5678",
                "phoneMasked",
                json!("138****5678"),
            ),
        ),
        (
            "Chinese district",
            accepted("district", "福田", "district", json!("Futian")),
        ),
        (
            "district with 区",
            accepted("district", "南山区", "district", json!("Nanshan")),
        ),
        (
            "no phone, no district",
            (nothing_optional, "district", Value::Null),
        ),
    ];

    for (why, (input, field, expected)) in cases {
        let response = app.register(&staff, input).await;
        assert!(
            response.body.get("errors").is_none(),
            "{why}: {}",
            response.body
        );
        let payload = &response.body["data"]["registerTrainee"];
        assert_eq!(payload["created"], true, "{why}");
        assert_eq!(payload["trainee"][field], expected, "{why}: {field}");
    }
}

#[tokio::test]
async fn a_lowercase_x_and_an_uppercase_x_are_the_same_person() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let x = resident_id_ending_in_x();

    let lower = app
        .register(&staff, document(RESIDENT, x.to_lowercase()))
        .await;
    let upper = app.register(&staff, document(RESIDENT, x)).await;

    let lower = &lower.data()["registerTrainee"];
    let upper = &upper.data()["registerTrainee"];
    assert_eq!(lower["created"], true);
    assert_eq!(upper["created"], false);
    assert_eq!(lower["trainee"]["id"], upper["trainee"]["id"]);
}
