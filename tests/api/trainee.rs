//! `registerTrainee`: dedup across institutions, masking, validation.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::{REGISTER, resident_id, spawn_app};

#[tokio::test]
async fn the_same_person_registered_by_two_institutions_is_one_trainee() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, first) = app.institution_with_admin(&admin).await;
    let (_, second) = app.institution_with_admin(&admin).await;
    let input = json!({ "input": { "name": "李四", "idNumber": resident_id() } });

    let a = app.graphql_as(Some(&first), REGISTER, input.clone()).await;
    let b = app.graphql_as(Some(&second), REGISTER, input).await;

    let (a, b) = (&a.data()["registerTrainee"], &b.data()["registerTrainee"]);
    assert_eq!(a["created"], true);
    assert_eq!(b["created"], false);
    assert_eq!(a["trainee"]["id"], b["trainee"]["id"]);
    assert!(a["activationCode"].is_string());
    assert!(
        b["activationCode"].is_null(),
        "a code is only shown on creation"
    );
}

#[tokio::test]
async fn personal_data_is_masked_in_the_response_and_absent_from_the_database() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let id_number = resident_id();

    let response = app
        .graphql_as(
            Some(&staff),
            REGISTER,
            json!({ "input": { "name": "王小明", "idNumber": id_number, "phone": "13912345678", "district": "福田" } }),
        )
        .await;
    let stored = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT * FROM trainee",
        ))
        .await
        .unwrap();

    let trainee = &response.data()["registerTrainee"]["trainee"];
    assert_eq!(trainee["name"], "王**");
    assert_eq!(
        trainee["idNumberMasked"],
        format!("{}********{}", &id_number[..6], &id_number[14..])
    );
    assert_eq!(trainee["phoneMasked"], "139****5678");
    assert_eq!(trainee["district"], "Futian");
    assert!(!response.body.to_string().contains(&id_number));
    assert!(
        !format!("{stored:?}").contains(&id_number),
        "the plain identity number is stored"
    );
}

#[tokio::test]
async fn a_bad_check_digit_is_refused_on_id_number_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let good = resident_id();
    let bad_digit = if good.ends_with('0') { '1' } else { '0' };
    let bad = format!("{}{bad_digit}", &good[..17]);

    let response = app
        .graphql_as(
            Some(&staff),
            REGISTER,
            json!({ "input": { "name": "赵六", "idNumber": bad } }),
        )
        .await;
    let list = app
        .graphql_as(Some(&staff), "{ trainees { totalCount } }", json!({}))
        .await;

    assert_eq!(response.status, 200);
    assert_eq!(response.code(), "BAD_USER_INPUT");
    assert_eq!(response.field(), Some("idNumber"));
    assert!(!response.body.to_string().contains(&bad));
    assert_eq!(list.data()["trainees"]["totalCount"], 0);
}
