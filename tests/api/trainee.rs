//! `registerTrainee`: dedup across institutions (also under concurrency), masking.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::app::spawn_app;
use crate::support::gql::REGISTER;
use crate::support::ids::resident_id;

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
    assert_eq!(
        trainee["name"], "王小明",
        "whole for the registering institution"
    );
    assert_eq!(trainee["nameMasked"], "王**");
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

#[tokio::test]
async fn a_second_registering_institution_sees_the_trainee_and_a_third_does_not() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, first) = app.institution_with_admin(&admin).await;
    let (_, second) = app.institution_with_admin(&admin).await;
    let (_, third) = app.institution_with_admin(&admin).await;
    let input = json!({ "name": "李四", "idNumber": resident_id() });
    let id = app.register(&first, input.clone()).await.data()["registerTrainee"]["trainee"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.ids(&second, "trainees").await.is_empty());

    app.register(&second, input).await.data();

    assert_eq!(app.ids(&first, "trainees").await, vec![id.clone()]);
    assert_eq!(app.ids(&second, "trainees").await, vec![id.clone()]);
    assert!(app.ids(&third, "trainees").await.is_empty());
    assert_eq!(app.ids(&admin, "trainees").await, vec![id]);
}

#[tokio::test]
async fn ten_concurrent_registrations_of_one_document_create_one_trainee() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, first) = app.institution_with_admin(&admin).await;
    let (_, second) = app.institution_with_admin(&admin).await;
    let body = json!({ "query": REGISTER, "variables": { "input": { "name": "王五", "idNumber": resident_id() } } });
    let url = format!("{}/graphql", app.address);

    let mut requests = JoinSet::new();
    for i in 0..10 {
        let token = if i % 2 == 0 { &first } else { &second }.clone();
        let (client, url, body) = (app.client.clone(), url.clone(), body.clone());
        requests.spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().as_u16() < 500);
            response.json::<serde_json::Value>().await.unwrap()
        });
    }
    let bodies = requests.join_all().await;

    for body in &bodies {
        assert!(
            body.get("errors").is_none(),
            "a registration failed: {body}"
        );
    }
    let created = bodies
        .iter()
        .filter(|b| b["data"]["registerTrainee"]["created"] == true)
        .count();
    let ids: HashSet<&str> = bodies
        .iter()
        .map(|b| {
            b["data"]["registerTrainee"]["trainee"]["id"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(created, 1, "{bodies:?}");
    assert_eq!(ids.len(), 1, "{bodies:?}");
    assert_eq!(app.count("trainee").await, 1);
    assert_eq!(app.count("trainee_institution").await, 2);
    assert_eq!(
        app.ids(&first, "trainees").await,
        app.ids(&second, "trainees").await
    );
}

#[tokio::test]
async fn trainees_are_found_by_district_in_either_language_and_by_document_as_typed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let id_number = resident_id();
    let futian = app
        .register(
            &staff,
            json!({ "name": "周一", "idNumber": id_number, "district": "Futian" }),
        )
        .await;
    let futian = futian.data()["registerTrainee"]["trainee"]["id"].clone();
    app.register(
        &staff,
        json!({ "name": "吴二", "idNumber": resident_id(), "district": "Luohu" }),
    )
    .await
    .data();
    let query = "query($filter: TraineeFilter) { trainees(filter: $filter) { totalCount edges { node { id } } } }";
    let spaced = format!("{} {}", &id_number[..6], id_number[6..].to_lowercase());
    let cases = [
        ("English district", json!({ "district": "Futian" })),
        ("Chinese district", json!({ "district": "福田区" })),
        ("document as stored", json!({ "idNumber": id_number })),
        (
            "document spaced and lowercase",
            json!({ "idNumber": spaced }),
        ),
    ];

    for (why, filter) in cases {
        let response = app
            .graphql_as(Some(&staff), query, json!({ "filter": filter }))
            .await;
        let list = &response.data()["trainees"];
        assert_eq!(list["totalCount"], 1, "{why}");
        assert_eq!(list["edges"][0]["node"]["id"], futian, "{why}");
    }
}
