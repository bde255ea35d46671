//! Account administration: the `users` list, `deactivateUser`, `reactivateUser` and
//! `resetPassword`, who may use them on whom, and what the account's owner notices.

use serde_json::json;

use crate::support::accounts::{Account, DEACTIVATE, REACTIVATE, RESET, SessionStream, message};
use crate::support::app::{TestApp, USER_PASSWORD, spawn_app};
use crate::support::reads::node_ids;
use crate::support::roles::Roles;

const USERS: &str = "query($filter: UserFilter) {
  users(first: 100, filter: $filter) { totalCount edges { node { id role active mustChangePassword institution { id } } } }
}";
const ME: &str = "{ me { id active mustChangePassword } }";

/// Ids of `users(filter)` as `token`.
async fn users(app: &TestApp, token: &str, filter: serde_json::Value) -> Vec<String> {
    let response = app
        .graphql_as(Some(token), USERS, json!({ "filter": filter }))
        .await;
    node_ids(&response.data()["users"])
}

/// The roles of [`Roles`] with the ids of their accounts, and a staff account of the
/// other institution.
struct People {
    roles: Roles,
    staff: String,
    institution_admin: String,
    analyst: String,
    trainee: String,
    other_admin: String,
    other_staff: Account,
}

impl People {
    async fn build(app: &TestApp) -> Self {
        let roles = Roles::build(app).await;
        let other_staff = app
            .account(
                &roles.other_admin,
                "INSTITUTION_STAFF",
                Some(&roles.other_institution),
            )
            .await;
        Self {
            staff: app.id_of(&roles.staff).await,
            institution_admin: app.id_of(&roles.institution_admin).await,
            analyst: app.id_of(&roles.analyst).await,
            trainee: app.id_of(&roles.trainee_token).await,
            other_admin: app.id_of(&roles.other_admin).await,
            other_staff,
            roles,
        }
    }
}

#[tokio::test]
async fn the_city_admin_lists_every_account_and_an_institution_admin_its_own_institutions() {
    let app = spawn_app().await;
    let p = People::build(&app).await;
    let r = &p.roles;
    let admin = app.id_of(&r.admin).await;

    let all = users(&app, &r.admin, json!(null)).await;
    let own = users(&app, &r.institution_admin, json!(null)).await;
    let own_filtered = users(
        &app,
        &r.institution_admin,
        json!({ "institutionId": r.institution }),
    )
    .await;
    let other_filtered = users(
        &app,
        &r.institution_admin,
        json!({ "institutionId": r.other_institution }),
    )
    .await;
    let staff_only = users(&app, &r.admin, json!({ "role": "INSTITUTION_STAFF" })).await;

    let mut expected_all = vec![
        admin,
        p.analyst.clone(),
        p.institution_admin.clone(),
        p.staff.clone(),
        p.trainee.clone(),
        p.other_admin.clone(),
        p.other_staff.id.clone(),
    ];
    expected_all.sort();
    assert_eq!(all, expected_all);
    let mut expected_own = vec![p.institution_admin.clone(), p.staff.clone()];
    expected_own.sort();
    assert_eq!(own, expected_own);
    assert_eq!(own_filtered, expected_own);
    assert!(
        other_filtered.is_empty(),
        "another institution's filter shows its accounts: {other_filtered:?}"
    );
    let mut expected_staff = vec![p.staff.clone(), p.other_staff.id.clone()];
    expected_staff.sort();
    assert_eq!(staff_only, expected_staff);
}

#[tokio::test]
async fn the_active_filter_separates_deactivated_accounts() {
    let app = spawn_app().await;
    let p = People::build(&app).await;
    let r = &p.roles;

    app.on_user(Some(&r.institution_admin), DEACTIVATE, &p.staff)
        .await
        .data();
    let inactive = users(&app, &r.admin, json!({ "active": false })).await;
    let active = users(&app, &r.institution_admin, json!({ "active": true })).await;

    assert_eq!(inactive, vec![p.staff.clone()]);
    assert_eq!(active, vec![p.institution_admin.clone()]);
}

#[tokio::test]
async fn users_is_forbidden_to_every_other_role_and_needs_a_session() {
    let app = spawn_app().await;
    let r = Roles::build(&app).await;

    for (who, token) in [
        ("analyst", &r.analyst),
        ("staff", &r.staff),
        ("trainee", &r.trainee_token),
    ] {
        let response = app.graphql_as(Some(token), USERS, json!({})).await;
        assert_eq!(response.code(), "FORBIDDEN", "{who}: {}", response.body);
    }
    let anonymous = app.graphql(USERS, json!({})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn account_mutations_are_refused_as_the_permission_table_says_and_change_nothing() {
    let app = spawn_app().await;
    let p = People::build(&app).await;
    let r = &p.roles;
    let admin = app.id_of(&r.admin).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases: Vec<(&str, Option<&str>, &str, &str)> = vec![
        ("city admin on itself", Some(&r.admin), &admin, "FORBIDDEN"),
        (
            "city admin on an unknown id",
            Some(&r.admin),
            &unknown,
            "NOT_FOUND",
        ),
        (
            "institution admin on itself",
            Some(&r.institution_admin),
            &p.institution_admin,
            "FORBIDDEN",
        ),
        (
            "institution admin on another institution's staff",
            Some(&r.institution_admin),
            &p.other_staff.id,
            "NOT_FOUND",
        ),
        (
            "institution admin on another institution's admin",
            Some(&r.institution_admin),
            &p.other_admin,
            "NOT_FOUND",
        ),
        (
            "institution admin on a city account",
            Some(&r.institution_admin),
            &p.analyst,
            "NOT_FOUND",
        ),
        (
            "institution admin on a trainee account",
            Some(&r.institution_admin),
            &p.trainee,
            "NOT_FOUND",
        ),
        (
            "institution admin on an unknown id",
            Some(&r.institution_admin),
            &unknown,
            "NOT_FOUND",
        ),
        ("analyst on staff", Some(&r.analyst), &p.staff, "FORBIDDEN"),
        (
            "staff on another staff",
            Some(&r.staff),
            &p.other_staff.id,
            "FORBIDDEN",
        ),
        (
            "staff on its admin",
            Some(&r.staff),
            &p.institution_admin,
            "FORBIDDEN",
        ),
        (
            "trainee on staff",
            Some(&r.trainee_token),
            &p.staff,
            "FORBIDDEN",
        ),
        ("anonymous on staff", None, &p.staff, "UNAUTHENTICATED"),
        ("malformed id", Some(&r.admin), "u-1", "BAD_USER_INPUT"),
    ];

    for mutation in [DEACTIVATE, REACTIVATE, RESET] {
        for (why, token, user, code) in &cases {
            let before = app.accounts_state().await;
            let response = app.on_user(*token, mutation, user).await;
            assert!(response.status < 500, "{why}: {}", response.body);
            assert_eq!(response.code(), *code, "{why}: {}", response.body);
            if *code == "BAD_USER_INPUT" {
                assert_eq!(response.field(), Some("userId"), "{why}");
            }
            assert_eq!(
                app.accounts_state().await,
                before,
                "{why}: an account changed"
            );
        }
    }
}

#[tokio::test]
async fn another_institutions_account_answers_exactly_like_an_unknown_one() {
    let app = spawn_app().await;
    let p = People::build(&app).await;
    let unknown = uuid::Uuid::now_v7().to_string();

    let other = app
        .on_user(
            Some(&p.roles.institution_admin),
            DEACTIVATE,
            &p.other_staff.id,
        )
        .await;
    let missing = app
        .on_user(Some(&p.roles.institution_admin), DEACTIVATE, &unknown)
        .await;

    assert_eq!(other.code(), missing.code());
    assert_eq!(
        message(&other)
            .as_str()
            .unwrap()
            .replace(&p.other_staff.id, "ID"),
        message(&missing).as_str().unwrap().replace(&unknown, "ID"),
    );
}

#[tokio::test]
async fn the_city_admin_administers_any_other_account_and_an_institution_admin_its_staff() {
    let app = spawn_app().await;
    let p = People::build(&app).await;
    let r = &p.roles;

    let cases = [
        (
            "city admin on an institution admin",
            &r.admin,
            &p.other_admin,
        ),
        ("city admin on a city analyst", &r.admin, &p.analyst),
        ("city admin on a trainee", &r.admin, &p.trainee),
        (
            "institution admin on its staff",
            &r.institution_admin,
            &p.staff,
        ),
    ];
    for (why, token, user) in cases {
        let deactivated = app.on_user(Some(token), DEACTIVATE, user).await;
        let reactivated = app.on_user(Some(token), REACTIVATE, user).await;
        let reset = app.on_user(Some(token), RESET, user).await;

        assert_eq!(
            deactivated.data()["deactivateUser"]["active"],
            false,
            "{why}"
        );
        assert_eq!(
            reactivated.data()["reactivateUser"]["active"],
            true,
            "{why}"
        );
        assert_eq!(
            reset.data()["resetPassword"]["user"]["mustChangePassword"],
            true,
            "{why}"
        );
    }
    let audited = app
        .count("audit_log WHERE action IN ('deactivateUser', 'reactivateUser', 'resetPassword')")
        .await;
    assert_eq!(audited, 12);
}

#[tokio::test]
async fn deactivation_ends_every_session_at_once_and_login_answers_as_a_wrong_password() {
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
    let second_session = app.login(&staff.username, USER_PASSWORD).await;
    let wrong_password = app
        .try_login(&staff.username, "not the password at all")
        .await;

    let deactivated = app
        .on_user(Some(&institution.admin), DEACTIVATE, &staff.id)
        .await;
    let me = app.graphql_as(Some(&staff.token), ME, json!({})).await;
    let read = app
        .graphql_as(
            Some(&second_session),
            "{ courses { totalCount } }",
            json!({}),
        )
        .await;
    let login = app.try_login(&staff.username, USER_PASSWORD).await;

    assert_eq!(deactivated.data()["deactivateUser"]["active"], false);
    assert!(
        me.data()["me"].is_null(),
        "a deactivated account's token still works"
    );
    assert_eq!(read.code(), "UNAUTHENTICATED");
    assert_eq!(login.code(), wrong_password.code());
    assert_eq!(message(&login), message(&wrong_password));
    assert_eq!(login.status, wrong_password.status);
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE action = 'deactivateUser' AND record_ids = '{}'",
            staff.id
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn reactivation_restores_login_but_not_the_ended_sessions() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let analyst = app.account(&admin, "CITY_ANALYST", None).await;
    app.on_user(Some(&admin), DEACTIVATE, &analyst.id)
        .await
        .data();

    let reactivated = app.on_user(Some(&admin), REACTIVATE, &analyst.id).await;
    let old_session = app.graphql_as(Some(&analyst.token), ME, json!({})).await;
    let token = app.login(&analyst.username, USER_PASSWORD).await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;

    assert_eq!(reactivated.data()["reactivateUser"]["active"], true);
    assert!(
        old_session.data()["me"].is_null(),
        "an ended session came back"
    );
    assert_eq!(me.data()["me"]["active"], true);
}

#[tokio::test]
async fn a_reset_ends_the_sessions_and_only_the_temporary_password_signs_in() {
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

    let reset = app
        .on_user(Some(&institution.admin), RESET, &staff.id)
        .await;
    let temporary = reset.data()["resetPassword"]["temporaryPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_session = app.graphql_as(Some(&staff.token), ME, json!({})).await;
    let old_password = app.try_login(&staff.username, USER_PASSWORD).await;
    let token = app.login(&staff.username, &temporary).await;
    let me = app.graphql_as(Some(&token), ME, json!({})).await;

    assert!(temporary.chars().count() >= 12, "{temporary}");
    assert!(
        old_session.data()["me"].is_null(),
        "a session outlived the reset"
    );
    assert_eq!(old_password.code(), "UNAUTHENTICATED");
    assert_eq!(me.data()["me"]["mustChangePassword"], true);
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE action = 'resetPassword' AND record_ids = '{}'",
            staff.id
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn two_city_admins_deactivating_each_other_at_once_leave_one_of_them_active() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = app.id_of(&admin).await;
    let second = app.account(&admin, "CITY_ADMIN", None).await;

    for round in 0..3 {
        let first = app.admin_token().await;
        let other = app.login(&second.username, USER_PASSWORD).await;
        let (a, b) = tokio::join!(
            app.on_user(Some(&first), DEACTIVATE, &second.id),
            app.on_user(Some(&other), DEACTIVATE, &admin_id),
        );

        let a_won = a.body.get("errors").is_none();
        let b_won = b.body.get("errors").is_none();
        assert!(a_won != b_won, "round {round}: {} / {}", a.body, b.body);
        let refused = if a_won { &b } else { &a };
        assert_eq!(refused.code(), "UNAUTHENTICATED", "round {round}");
        assert_eq!(
            app.count("\"user\" WHERE role = 'CITY_ADMIN' AND active")
                .await,
            1,
            "round {round}"
        );
        let (survivor, fallen) = if a_won {
            (&first, &second.id)
        } else {
            (&other, &admin_id)
        };
        app.on_user(Some(survivor), REACTIVATE, fallen).await.data();
    }
}

#[tokio::test]
async fn deactivation_during_a_stream_of_requests_locks_out_every_request_sent_after_it() {
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
    let stream = SessionStream::start(&app, &staff.token).await;
    let deactivated = app
        .on_user(Some(&institution.admin), DEACTIVATE, &staff.id)
        .await;
    stream.finish(std::time::Instant::now()).await;

    assert_eq!(deactivated.data()["deactivateUser"]["active"], false);
}
