//! TLS to PostgreSQL: `sslmode=require` in `DATABASE_URL` encrypts every pooled
//! connection (a managed database refuses plain ones).

use secrecy::ExposeSecret;
use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::reads::rows;

#[tokio::test]
async fn with_sslmode_require_every_database_connection_is_encrypted() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped: SQLite is a file, TLS concerns PostgreSQL; set TEST_DATABASE_URL");
        return;
    }
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
