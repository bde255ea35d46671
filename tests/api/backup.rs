//! `backup --to FILE` and `restore --from FILE` on both engines: a registry restored into
//! a fresh database passes `verify-counts` and answers the same `programmeProgress`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;
use uuid::Uuid;

use crate::support::app::{PII_KEY, TestDatabase, spawn_app};
use crate::support::process::Server;

/// Every figure of `programmeProgress`, goals included.
const PROGRESS: &str = "{ programmeProgress {
  programme { id name }
  targets { track target certified inTraining ratio projectedReachDate reachedOn }
  goals { kind target achieved ratio projectedReachDate reachedOn requiredPerMonth onTrack }
  certifiedPersons certifiedOnBothTracks
} }";

/// Runs the binary's `args` on the database at `url`.
fn talent_registry(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_talent-registry"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("TALENT_PII_KEY", PII_KEY)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn backup_file() -> PathBuf {
    std::env::temp_dir().join(format!("talent-backup-{}.dump", Uuid::now_v7().simple()))
}

#[tokio::test]
async fn a_restored_registry_counts_cleanly_and_answers_the_same_progress() {
    let app = spawn_app().await;
    crate::seed::seed(&app, 300, 3).await.unwrap();
    let admin = app.admin_token().await;
    let before = app.graphql_as(Some(&admin), PROGRESS, json!({})).await;
    let file = backup_file();
    let fresh = TestDatabase::create().await;

    let backup = talent_registry(&app.database_url, &["backup", "--to", path(&file)]);
    let restore = talent_registry(&fresh.url, &["restore", "--from", path(&file)]);
    let verify = talent_registry(&fresh.url, &["verify-counts"]);

    assert!(backup.status.success(), "{}", text(&backup));
    assert!(restore.status.success(), "{}", text(&restore));
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("0 difference(s)"),
        "{}",
        text(&verify)
    );
    let restored = Server::start(&fresh.url, 5_000);
    let after = restored
        .graphql_as(Some(&admin), PROGRESS, json!({}))
        .await
        .unwrap();
    assert_eq!(
        after.data(),
        before.data(),
        "the session and every figure came back"
    );
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn backup_refuses_to_overwrite_and_restore_refuses_a_live_registry_without_force() {
    let app = spawn_app().await;
    let file = backup_file();
    std::fs::write(&file, b"something precious").unwrap();

    let backup = talent_registry(&app.database_url, &["backup", "--to", path(&file)]);
    let restore = talent_registry(&app.database_url, &["restore", "--from", path(&file)]);
    let missing = talent_registry(&app.database_url, &["restore", "--from", "/no/such/backup"]);

    assert!(!backup.status.success());
    assert!(
        text(&backup).contains("exists already"),
        "{}",
        text(&backup)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"something precious");
    assert!(!restore.status.success());
    assert!(text(&restore).contains("--force"), "{}", text(&restore));
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("not a backup file"),
        "{}",
        text(&missing)
    );
    let _ = std::fs::remove_file(&file);
}

fn path(file: &Path) -> &str {
    file.to_str().unwrap()
}
