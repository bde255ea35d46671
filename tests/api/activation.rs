//! `activateTraineeAccount`: one account per one-time code, atomically.

use serde_json::json;
use tokio::task::JoinSet;

use crate::support::app::{USER_PASSWORD, spawn_app};
use crate::support::fixtures::{activation, register};
use crate::support::gql::ACTIVATE;
use crate::support::ids::username;

const ME: &str = "{ me { username role institution { id } } }";

#[tokio::test]
async fn an_activation_code_works_once_and_signs_the_trainee_in() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (trainee, code) = register(&app, &staff, "张三").await;
    register(&app, &staff, "张三").await;
    let name = username();

    let first = activation(&app, &code, &name).await;
    let second = activation(&app, &code, &username()).await;
    let token = first.data()["activateTraineeAccount"]["token"]
        .as_str()
        .unwrap();
    let me = app.graphql_as(Some(token), ME, json!({})).await;
    let relogin = app.login(&name, USER_PASSWORD).await;

    assert_eq!(
        first.data()["activateTraineeAccount"]["user"]["role"],
        "TRAINEE"
    );
    assert_eq!(second.code(), "NOT_FOUND", "a used code works again");
    assert_eq!(me.data()["me"]["username"], name.as_str());
    assert_eq!(me.data()["me"]["role"], "TRAINEE");
    assert_eq!(app.ids(&relogin, "trainees").await, vec![trainee]);
    assert_eq!(app.count("\"user\" WHERE role = 'TRAINEE'").await, 1);
}

#[tokio::test]
async fn a_garbage_or_empty_activation_code_creates_no_account() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = register(&app, &staff, "张三").await;
    let cases = [
        ("garbage", "not-a-code".to_owned(), "NOT_FOUND"),
        (
            "a real code with one character changed",
            // Its first character replaced by another (an `x` only when it was not one).
            format!(
                "{}{}",
                if code.starts_with('x') { 'y' } else { 'x' },
                &code[1..]
            ),
            "NOT_FOUND",
        ),
        ("a real code's prefix", code[..20].to_owned(), "NOT_FOUND"),
        ("a huge code", "a".repeat(10_000), "NOT_FOUND"),
        ("blank", "   ".to_owned(), "BAD_USER_INPUT"),
    ];

    for (why, attempt, expected) in cases {
        let response = activation(&app, &attempt, &username()).await;
        assert!(response.status < 500, "{why}");
        assert_eq!(response.code(), expected, "{why}: {}", response.body);
    }
    assert_eq!(app.count("\"user\" WHERE role = 'TRAINEE'").await, 0);
    activation(&app, &code, &username()).await.data();
}

#[tokio::test]
async fn a_refused_activation_leaves_the_code_usable() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = register(&app, &staff, "张三").await;
    let input = |name: &str, password: &str| json!({ "input": { "activationCode": code, "username": name, "password": password } });

    let short_password = app.graphql(ACTIVATE, input(&username(), "short")).await;
    let bad_username = app
        .graphql(ACTIVATE, input("no spaces allowed", USER_PASSWORD))
        .await;
    let taken_username = app.graphql(ACTIVATE, input("admin", USER_PASSWORD)).await;
    let finally = app
        .graphql(ACTIVATE, input(&username(), USER_PASSWORD))
        .await;

    assert_eq!(short_password.code(), "BAD_USER_INPUT");
    assert_eq!(short_password.field(), Some("password"));
    assert_eq!(bad_username.code(), "BAD_USER_INPUT");
    assert_eq!(bad_username.field(), Some("username"));
    assert_eq!(taken_username.code(), "CONFLICT");
    assert_eq!(
        finally.data()["activateTraineeAccount"]["user"]["role"],
        "TRAINEE",
        "a refused activation consumed the code"
    );
}

#[tokio::test]
async fn concurrent_activations_of_one_code_create_exactly_one_account() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = register(&app, &staff, "张三").await;
    let url = format!("{}/graphql", app.address);

    let mut attempts = JoinSet::new();
    for _ in 0..5 {
        let (client, url) = (app.client.clone(), url.clone());
        let body = json!({ "query": ACTIVATE, "variables": { "input": {
            "activationCode": code, "username": username(), "password": USER_PASSWORD,
        }}});
        attempts.spawn(async move {
            let response = client.post(url).json(&body).send().await.unwrap();
            assert!(response.status().as_u16() < 500);
            response.json::<serde_json::Value>().await.unwrap()
        });
    }
    let bodies = attempts.join_all().await;

    let succeeded = bodies.iter().filter(|b| b.get("errors").is_none()).count();
    assert_eq!(succeeded, 1, "{bodies:?}");
    for body in bodies.iter().filter(|b| b.get("errors").is_some()) {
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    assert_eq!(app.count("\"user\" WHERE role = 'TRAINEE'").await, 1);
}

#[tokio::test]
async fn a_trainee_account_cannot_log_in_with_a_wrong_password_nor_act_as_staff() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let (_, code) = register(&app, &staff, "张三").await;
    let name = username();
    let token = activation(&app, &code, &name).await.data()["activateTraineeAccount"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let wrong = app
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { token } }",
            json!({ "input": { "username": name, "password": "wrong-password-here" } }),
        )
        .await;
    let register = app
        .graphql_as(
            Some(&token),
            crate::support::gql::REGISTER,
            json!({ "input": { "name": "李四", "idNumber": crate::support::ids::resident_id() } }),
        )
        .await;

    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(register.code(), "FORBIDDEN");
}
