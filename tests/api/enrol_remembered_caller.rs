//! `enrol` by a caller whose session the server remembers, into a remembered course
//! (PostgreSQL): the write checks the session itself instead of a lookup first, so a
//! session ended or expired since, or an account changed since, is answered exactly as
//! without the memory, and nothing is written.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::enrol_remembered::remembered;
use crate::goals::assert_counts_exact;
use crate::support::accounts::DEACTIVATE;
use crate::support::app::TestApp;
use crate::support::fixtures::{Institution, World};
use crate::support::flows::enrol;
use crate::support::reads::enrolled_count;

/// A remembered course and caller (the institution's admin, who enrolled its first
/// person), a second person of the institution, and the admin's account id.
async fn remembered_caller() -> (TestApp, World, Institution, String, String, String) {
    let (app, world, academy, course) = remembered().await;
    let second = academy.trainee().await;
    let admin_id = app.id_of(&academy.admin).await;
    (app, world, academy, course, second, admin_id)
}

/// Asserts that the course still has its first person only, and every count is exact.
async fn assert_nobody_enrolled(app: &TestApp, world: &World, course: &str) {
    assert_eq!(enrolled_count(app, &world.admin, course).await, 1);
    assert_counts_exact(app).await;
}

/// Runs `text`, which changes one row or more.
async fn sql(app: &TestApp, text: &str) {
    let changed = app.db.execute_unprepared(text).await.unwrap();
    assert!(changed.rows_affected() > 0, "{text} changed nothing");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_who_logged_out_is_unauthenticated_and_enrols_nobody() {
    let (app, world, academy, course, second, _) = remembered_caller().await;
    let out = app
        .graphql_as(Some(&academy.admin), "mutation { logout }", json!({}))
        .await;
    assert_eq!(out.data()["logout"], true, "{}", out.body);

    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "UNAUTHENTICATED", "{}", refused.body);
    assert_nobody_enrolled(&app, &world, &course).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_deactivated_since_is_unauthenticated_and_enrols_nobody() {
    let (app, world, academy, course, second, admin_id) = remembered_caller().await;
    let deactivated = app.on_user(Some(&world.admin), DEACTIVATE, &admin_id).await;
    assert_eq!(
        deactivated.data()["deactivateUser"]["active"],
        false,
        "{}",
        deactivated.body
    );

    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "UNAUTHENTICATED", "{}", refused.body);
    assert_nobody_enrolled(&app, &world, &course).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_session_that_expired_since_is_unauthenticated_and_enrols_nobody() {
    let (app, world, academy, course, second, admin_id) = remembered_caller().await;
    // Its lifetime has passed.
    sql(
        &app,
        &format!(
            "UPDATE session SET expires_at = now() - interval '1 second' \
             WHERE user_id = '{admin_id}'"
        ),
    )
    .await;

    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "UNAUTHENTICATED", "{}", refused.body);
    assert_nobody_enrolled(&app, &world, &course).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_moved_to_another_institution_enrols_nobody_in_the_old_one() {
    let (app, world, academy, course, second, admin_id) = remembered_caller().await;
    let other = world.institution().await;
    // The account now belongs to another institution (an operator's change: no mutation
    // moves an account), its session still live.
    sql(
        &app,
        &format!(
            "UPDATE \"user\" SET institution_id = '{}' WHERE id = '{admin_id}'",
            other.id
        ),
    )
    .await;

    let refused = enrol(&app, Some(&academy.admin), &second, &course).await;

    assert_eq!(refused.code(), "NOT_FOUND", "{}", refused.body);
    assert_nobody_enrolled(&app, &world, &course).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_who_logged_out_is_told_unauthenticated_before_a_bad_id() {
    let (app, world, academy, course, _, _) = remembered_caller().await;
    app.graphql_as(Some(&academy.admin), "mutation { logout }", json!({}))
        .await;

    let refused = enrol(&app, Some(&academy.admin), "not-an-id", &course).await;

    assert_eq!(refused.code(), "UNAUTHENTICATED", "{}", refused.body);
    assert_nobody_enrolled(&app, &world, &course).await;
}
