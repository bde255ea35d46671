//! `/healthz` says the process is up; `/readyz` says the database answers.

use crate::support::app::{TestApp, spawn_app};

/// GETs `path` of the app.
pub async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn healthz_and_readyz_are_ok_while_the_database_answers() {
    let app = spawn_app().await;

    let health = get(&app, "/healthz").await;
    let ready = get(&app, "/readyz").await;

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn without_a_database_readyz_is_503_and_healthz_is_still_ok() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();

    let ready = get(&app, "/readyz").await;
    let health = get(&app, "/healthz").await;

    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(health.status(), 200);
}
