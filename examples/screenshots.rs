//! Screenshots of every page for the README (`docs/screenshots/`), at desktop (1280 px)
//! and phone (360 px) width: a fresh SQLite registry seeded with 1,000 trainees (seed
//! 42), served on a free port and opened in headless Chromium over WebDriver.
//!
//! `cargo run --example screenshots` (needs `chromium` and `chromium-driver`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a tool run by hand: it stops loudly at the first failure"
)]

#[path = "../tests/api/support/browser.rs"]
#[expect(dead_code, reason = "the browser tests use the rest")]
mod browser;

use clap::Parser;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use talent_registry::config::Cli;
use talent_registry::http::App;
use talent_registry::seed::{SeedOptions, run};
use talent_registry::service::pii::PiiKey;

use browser::Browser;

const ADMIN_PASSWORD: &str = "screenshots-admin-password";
const PII_KEY: &str = "screenshots-pii-key-0123456789";
const OUT: &str = "docs/screenshots";

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("talent-screenshots-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("demo.db").display());
    let cli = Cli::try_parse_from([
        "talent-registry",
        "--database-url",
        &url,
        "--listen",
        "127.0.0.1:0",
        "--admin-password",
        ADMIN_PASSWORD,
        "--pii-key",
        PII_KEY,
    ])
    .unwrap();
    let app = App::build(cli.settings).await.unwrap();
    let address = format!("http://{}", app.address().unwrap());
    let db = app.deps().db.clone();
    let options = SeedOptions {
        trainees: 1_000,
        seed: 42,
        institutions: None,
        courses: None,
    };
    run(&db, &PiiKey::new(PII_KEY.as_bytes()), &options)
        .await
        .unwrap();
    tokio::spawn(app.run_until_stopped());

    let (number, name) = a_certificate(&db).await;
    let (staff, course) = an_institution_admin(&address).await;
    for (width, height, label) in [(1280, 1000, "desktop"), (360, 1400, "phone")] {
        let browser = Browser::start(width, height).await;
        let shot = |page: &'static str| format!("{OUT}/{page}-{label}.png");
        browser.goto(&format!("{address}/")).await;
        save(&browser, &shot("home")).await;

        let query = format!("number={number}&name={}", urlencode(&name));
        browser.goto(&format!("{address}/verify?{query}")).await;
        browser.text_of("#verify-answer").await;
        save(&browser, &shot("verify")).await;

        browser.goto(&format!("{address}/dashboard")).await;
        browser.type_into("#username", "admin").await;
        browser.type_into("#password", ADMIN_PASSWORD).await;
        browser.click("#signin button").await;
        browser.text_of("#district-table").await;
        save(&browser, &shot("dashboard")).await;
        browser
            .run(
                "window.scrollTo(0, document.getElementById('monthly').offsetTop);",
                json!([]),
            )
            .await;
        save(&browser, &shot("dashboard-chart")).await;

        browser
            .run(
                "sessionStorage.setItem('talent-registry.token', arguments[0]);",
                json!([staff]),
            )
            .await;
        browser.goto(&format!("{address}/workspace?lang=en")).await;
        browser.text_of("#course-table").await;
        save(&browser, &shot("workspace-courses")).await;
        browser
            .click(&format!("button[data-course='{course}']"))
            .await;
        browser
            .wait_until(
                "return document.querySelectorAll('#roster tbody tr').length > 0;",
                json!([]),
            )
            .await;
        save(&browser, &shot("workspace")).await;
        browser.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn save(browser: &Browser, path: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    std::fs::write(path, browser.screenshot().await).unwrap();
    println!("wrote {path}");
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A valid certificate's number and its holder's full name.
async fn a_certificate(db: &sea_orm::DatabaseConnection) -> (String, String) {
    let sql = "SELECT c.number, t.name FROM certificate c JOIN trainee t ON t.id = c.trainee_id \
               WHERE c.revoked_at IS NULL AND c.kind = 'TRAINING_COMPLETION' ORDER BY c.number LIMIT 1";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .expect("a seeded certificate");
    (
        row.try_get("", "number").unwrap(),
        row.try_get("", "name").unwrap(),
    )
}

async fn gql(address: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"].clone()
}

/// A new INSTITUTION_ADMIN of the seeded institution with the largest course; its token
/// and that course's id.
async fn an_institution_admin(address: &str) -> (String, String) {
    let login = "mutation($in: LoginInput!) { login(input: $in) { token } }";
    let admin = gql(
        address,
        None,
        login,
        json!({ "in": { "username": "admin", "password": ADMIN_PASSWORD } }),
    )
    .await;
    let admin = admin["login"]["token"].as_str().unwrap().to_owned();
    let courses = gql(
        address,
        Some(&admin),
        "{ courses(first: 100) { edges { node { id enrolledCount institution { id } } } } }",
        json!({}),
    )
    .await;
    let course = courses["courses"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|c| c["enrolledCount"].as_i64().unwrap() <= 40)
        .max_by_key(|c| c["enrolledCount"].as_i64().unwrap())
        .unwrap()
        .clone();
    let institution = course["institution"]["id"].as_str().unwrap();
    let create = "mutation($in: CreateUserInput!) { createUser(input: $in) { id } }";
    let user = json!({ "in": { "username": "demo.institution", "password": "demo-institution-pw",
        "role": "INSTITUTION_ADMIN", "institutionId": institution } });
    gql(address, Some(&admin), create, user).await;
    let staff = gql(
        address,
        None,
        login,
        json!({ "in": { "username": "demo.institution", "password": "demo-institution-pw" } }),
    )
    .await;
    (
        staff["login"]["token"].as_str().unwrap().to_owned(),
        course["id"].as_str().unwrap().to_owned(),
    )
}
