//! `changePassword`, and `PASSWORD_CHANGE_REQUIRED` after `resetPassword` on every
//! operation but `changePassword`, `logout` and `me`, CSV exports included.

use serde_json::{Value, json};
use talent_registry::service::rate_limit::LOGIN_FAILURE_WINDOW;

use crate::support::accounts::{Account, CHANGE, RESET, SessionStream};
use crate::support::app::{TestApp, USER_PASSWORD, spawn_app, spawn_app_with};
use crate::support::gql::{CREATE_COURSE, Gql};

const NEW_PASSWORD: &str = "a brand new password";
const ME: &str = "{ me { id mustChangePassword } }";

async fn change(app: &TestApp, token: Option<&str>, current: &str, new: &str) -> Gql {
    app.graphql_as(
        token,
        CHANGE,
        json!({ "input": { "currentPassword": current, "newPassword": new } }),
    )
    .await
}

/// An INSTITUTION_ADMIN whose password the city reset, signed in with the temporary
/// password; returns (account with that token, temporary password, the city's token,
/// the institution).
async fn reset_admin(app: &TestApp) -> (Account, String, String, String) {
    let world = app.world().await;
    let institution = world.institution().await;
    let id = app.id_of(&institution.admin).await;
    let reset = app.on_user(Some(&world.admin), RESET, &id).await;
    let temporary = reset.data()["resetPassword"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app
        .graphql_as(
            Some(&world.admin),
            "query($f: UserFilter) { users(filter: $f) { edges { node { id username } } } }",
            json!({ "f": { "institutionId": institution.id } }),
        )
        .await;
    let username = me.data()["users"]["edges"][0]["node"]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = app.login(&username, &temporary).await;
    let account = Account {
        id,
        username,
        token,
    };
    (account, temporary, world.admin, institution.id)
}

fn course_input(institution: &str) -> Value {
    json!({ "input": { "institutionId": institution, "title": "Live selling", "track": "HOST", "hours": 40 } })
}

#[tokio::test]
async fn after_a_reset_a_query_and_a_mutation_answer_password_change_required_and_change_nothing() {
    let app = spawn_app().await;
    let (admin, _, _, institution) = reset_admin(&app).await;
    let courses_before = app.count("course").await;

    let read = app
        .graphql_as(Some(&admin.token), "{ programmes { name } }", json!({}))
        .await;
    let write = app
        .graphql_as(
            Some(&admin.token),
            CREATE_COURSE,
            course_input(&institution),
        )
        .await;
    let public = app
        .graphql_as(
            Some(&admin.token),
            "{ verifyCertificate(number: \"X\", holderName: \"张三\") { valid } }",
            json!({}),
        )
        .await;

    for (why, response) in [
        ("query", &read),
        ("mutation", &write),
        ("public query", &public),
    ] {
        assert_eq!(
            response.code(),
            "PASSWORD_CHANGE_REQUIRED",
            "{why}: {}",
            response.body
        );
        assert_eq!(response.status, 200, "{why}");
    }
    assert_eq!(app.count("course").await, courses_before);
}

#[tokio::test]
async fn after_a_reset_me_and_logout_still_answer() {
    let app = spawn_app().await;
    let (admin, temporary, _, _) = reset_admin(&app).await;
    let second = app.login(&admin.username, &temporary).await;

    let me = app.graphql_as(Some(&admin.token), ME, json!({})).await;
    let mixed = app
        .graphql_as(
            Some(&admin.token),
            "{ me { mustChangePassword } institutions { totalCount } }",
            json!({}),
        )
        .await;
    let logout = app
        .graphql_as(Some(&second), "mutation { logout }", json!({}))
        .await;

    assert_eq!(me.data()["me"]["mustChangePassword"], true);
    assert_eq!(
        mixed.body["data"]["me"]["mustChangePassword"], true,
        "{}",
        mixed.body
    );
    assert_eq!(mixed.code(), "PASSWORD_CHANGE_REQUIRED");
    assert_eq!(mixed.body["errors"][0]["path"], json!(["institutions"]));
    assert_eq!(logout.data()["logout"], true);
}

#[tokio::test]
async fn after_a_reset_the_csv_exports_refuse_with_403() {
    let app = spawn_app().await;
    let (admin, _, _, _) = reset_admin(&app).await;

    let response = app
        .client
        .get(format!("{}/exports/progress.csv", app.address))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 403);
    let body = response.text().await.unwrap();
    assert!(body.starts_with("PASSWORD_CHANGE_REQUIRED"), "{body}");
}

#[tokio::test]
async fn changing_the_temporary_password_lifts_the_restriction() {
    let app = spawn_app().await;
    let (admin, temporary, _, institution) = reset_admin(&app).await;

    let changed = change(&app, Some(&admin.token), &temporary, NEW_PASSWORD).await;
    let token = changed.data()["changePassword"]["token"].as_str().unwrap();
    let write = app
        .graphql_as(Some(token), CREATE_COURSE, course_input(&institution))
        .await;

    assert_eq!(
        changed.data()["changePassword"]["user"]["mustChangePassword"],
        false
    );
    assert_eq!(write.data()["createCourse"]["title"], "Live selling");
}

#[tokio::test]
async fn change_password_ends_every_other_session_and_returns_one_that_works() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let analyst = app.account(&admin, "CITY_ANALYST", None).await;
    let other_session = app.login(&analyst.username, USER_PASSWORD).await;

    let changed = change(&app, Some(&analyst.token), USER_PASSWORD, NEW_PASSWORD).await;
    let token = changed.data()["changePassword"]["token"].as_str().unwrap();
    let with_new = app.graphql_as(Some(token), ME, json!({})).await;
    let with_other = app.graphql_as(Some(&other_session), ME, json!({})).await;
    let with_old = app.graphql_as(Some(&analyst.token), ME, json!({})).await;
    let old_login = app.try_login(&analyst.username, USER_PASSWORD).await;
    let new_login = app.try_login(&analyst.username, NEW_PASSWORD).await;

    assert_eq!(with_new.data()["me"]["id"], analyst.id.as_str());
    assert!(
        with_other.data()["me"].is_null(),
        "another session survived"
    );
    assert!(
        with_old.data()["me"].is_null(),
        "the changing session survived"
    );
    assert_eq!(old_login.code(), "UNAUTHENTICATED");
    assert!(new_login.data()["login"]["token"].is_string());
    assert_eq!(
        app.count("audit_log WHERE action = 'changePassword'").await,
        1
    );
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_on_its_field_and_throttled_like_login() {
    let app = spawn_app_with(|settings| settings.login_failures_per_account = 3).await;
    let admin = app.admin_token().await;
    let analyst = app.account(&admin, "CITY_ANALYST", None).await;
    let before = app.accounts_state().await;

    for attempt in 0..3 {
        let wrong = change(&app, Some(&analyst.token), "not my password!", NEW_PASSWORD).await;
        assert_eq!(
            wrong.code(),
            "BAD_USER_INPUT",
            "attempt {attempt}: {}",
            wrong.body
        );
        assert_eq!(wrong.field(), Some("currentPassword"));
    }
    let throttled = change(&app, Some(&analyst.token), USER_PASSWORD, NEW_PASSWORD).await;
    let login = app.try_login(&analyst.username, USER_PASSWORD).await;

    assert_eq!(throttled.code(), "RATE_LIMITED", "{}", throttled.body);
    assert_eq!(
        login.code(),
        "RATE_LIMITED",
        "the account's login is throttled too"
    );
    assert_eq!(app.accounts_state().await, before);
    app.advance_clock(LOGIN_FAILURE_WINDOW);
    let again = change(&app, Some(&analyst.token), USER_PASSWORD, NEW_PASSWORD).await;
    assert!(again.data()["changePassword"]["token"].is_string());
}

#[tokio::test]
async fn a_new_password_breaking_the_rules_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let analyst = app.account(&admin, "CITY_ANALYST", None).await;
    let cases = [
        ("11 characters", "elevenchars"),
        ("129 characters", &*"p".repeat(129)),
        ("the current password", USER_PASSWORD),
    ];

    for (why, new) in cases {
        let before = app.accounts_state().await;
        let response = change(&app, Some(&analyst.token), USER_PASSWORD, new).await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{why}: {}",
            response.body
        );
        assert_eq!(response.field(), Some("newPassword"), "{why}");
        assert_eq!(app.accounts_state().await, before, "{why}");
    }
    let still = app.graphql_as(Some(&analyst.token), ME, json!({})).await;
    assert_eq!(still.data()["me"]["id"], analyst.id.as_str());
}

#[tokio::test]
async fn change_password_needs_a_session() {
    let app = spawn_app().await;

    let response = change(&app, None, USER_PASSWORD, NEW_PASSWORD).await;

    assert_eq!(response.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_password_change_during_a_stream_of_requests_locks_out_the_old_sessions_at_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    let institution = world.institution().await;
    let staff = app
        .account(
            &institution.admin,
            "INSTITUTION_STAFF",
            Some(&institution.id),
        )
        .await;
    let changing = app.login(&staff.username, USER_PASSWORD).await;
    let stream = SessionStream::start(&app, &staff.token).await;
    let changed = change(&app, Some(&changing), USER_PASSWORD, NEW_PASSWORD).await;
    stream.finish(std::time::Instant::now()).await;

    let new_session = changed.data()["changePassword"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.graphql_as(Some(&new_session), ME, json!({})).await;
    assert!(me.data()["me"]["id"].is_string(), "the new session works");
}
