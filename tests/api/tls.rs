//! TLS to PostgreSQL: `sslmode=require` in `DATABASE_URL` encrypts every pooled
//! connection (a managed database refuses plain ones).

use secrecy::ExposeSecret;
use serde_json::json;

use crate::support::app::spawn_app_with;
use crate::support::reads::rows;

#[tokio::test]
#[ignore = "needs PostgreSQL: TLS concerns a server connection (CI runs it with TEST_DATABASE_URL)"]
async fn with_sslmode_require_every_database_connection_is_encrypted() {
    crate::support::app::require_postgres();
    let app = spawn_app_with(|settings| {
        let url = settings.database_url.expose_secret().to_owned();
        let joiner = if url.contains('?') { '&' } else { '?' };
        settings.database_url = format!("{url}{joiner}sslmode=require").into();
    })
    .await;
    let server_ssl = rows(&app, "SHOW ssl").await[0]
        .try_get::<String>("", "ssl")
        .unwrap();
    assert_eq!(
        server_ssl, "on",
        "this PostgreSQL server has TLS turned off"
    );

    let admin = app.admin_token().await;
    app.graphql_as(Some(&admin), "{ institutions { totalCount } }", json!({}))
        .await
        .data();
    let encrypted = rows(
        &app,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .await[0]
        .try_get::<bool>("", "ssl")
        .unwrap();
    assert!(encrypted, "the app's connection is not encrypted");
}
