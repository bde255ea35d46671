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
struct Remembered {
    app: TestApp,
    world: World,
    academy: Institution,
    course: String,
    second: String,
    admin_id: String,
}

impl Remembered {
    async fn new() -> Self {
        let (app, world, academy, course) = remembered().await;
        let second = academy.trainee().await;
        let admin_id = app.id_of(&academy.admin).await;
        Self {
            app,
            world,
            academy,
            course,
            second,
            admin_id,
        }
    }

    async fn log_out(&self) {
        let out = self
            .app
            .graphql_as(Some(&self.academy.admin), "mutation { logout }", json!({}))
            .await;
        assert_eq!(out.data()["logout"], true, "{}", out.body);
    }

    /// Runs `text`, which changes one row or more.
    async fn sql(&self, text: &str) {
        let changed = self.app.db.execute_unprepared(text).await.unwrap();
        assert!(changed.rows_affected() > 0, "{text} changed nothing");
    }

    /// Asserts that the admin's `enrol` of `trainee` is refused with `code`, that the
    /// course still has its first person only, and that every count is exact.
    async fn assert_refused(&self, trainee: &str, code: &str) {
        let refused = enrol(&self.app, Some(&self.academy.admin), trainee, &self.course).await;
        assert_eq!(refused.code(), code, "{}", refused.body);
        assert_eq!(
            enrolled_count(&self.app, &self.world.admin, &self.course).await,
            1
        );
        assert_counts_exact(&self.app).await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_who_logged_out_is_unauthenticated_and_enrols_nobody() {
    let r = Remembered::new().await;
    r.log_out().await;

    r.assert_refused(&r.second, "UNAUTHENTICATED").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_deactivated_since_is_unauthenticated_and_enrols_nobody() {
    let r = Remembered::new().await;
    let deactivated = r
        .app
        .on_user(Some(&r.world.admin), DEACTIVATE, &r.admin_id)
        .await;
    assert_eq!(
        deactivated.data()["deactivateUser"]["active"],
        false,
        "{}",
        deactivated.body
    );

    r.assert_refused(&r.second, "UNAUTHENTICATED").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_session_that_expired_since_is_unauthenticated_and_enrols_nobody() {
    let r = Remembered::new().await;
    // Its lifetime has passed.
    r.sql(&format!(
        "UPDATE session SET expires_at = now() - interval '1 second' WHERE user_id = '{}'",
        r.admin_id
    ))
    .await;

    r.assert_refused(&r.second, "UNAUTHENTICATED").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_moved_to_another_institution_enrols_nobody_in_the_old_one() {
    let r = Remembered::new().await;
    let other = r.world.institution().await;
    // The account now belongs to another institution (an operator's change: no mutation
    // moves an account), its session still live.
    r.sql(&format!(
        "UPDATE \"user\" SET institution_id = '{}' WHERE id = '{}'",
        other.id, r.admin_id
    ))
    .await;

    r.assert_refused(&r.second, "NOT_FOUND").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: the remembered caller is PostgreSQL's path (CI runs it with TEST_DATABASE_URL)"]
async fn a_remembered_caller_who_logged_out_is_told_unauthenticated_before_a_bad_id() {
    let r = Remembered::new().await;
    r.log_out().await;

    r.assert_refused("not-an-id", "UNAUTHENTICATED").await;
}
