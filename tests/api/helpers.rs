//! Test harness: `spawn_app()` on port 0 over a fresh database, GraphQL calls, fixtures.

use std::path::PathBuf;
use std::sync::Once;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use talent_registry::config::Settings;
use talent_registry::domain::{CreditCode, IdDocument, IdType};
use talent_registry::http::App;
use uuid::Uuid;

/// Password of the bootstrap admin in every test app.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
/// HMAC key of identity numbers in every test app (and server process).
pub const PII_KEY: &str = "test-pii-key-0123456789";
/// Password given to every user a fixture creates.
pub const USER_PASSWORD: &str = "user-password-for-tests";

static TELEMETRY: Once = Once::new();

/// A running app over its own database, dropped with it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The app's pool, for recounts and direct checks.
    pub db: DatabaseConnection,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The database's URL, for a second server process on the same data.
    pub database_url: String,
    _database: TestDatabase,
}

/// Starts the app on a fresh database: PostgreSQL when `TEST_DATABASE_URL` is set, else a
/// temporary SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with the settings changed by `configure` first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    TELEMETRY.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            talent_registry::telemetry::init(std::io::stdout);
        }
    });
    let database = TestDatabase::create().await;
    let database_url = database.url.clone();
    let mut settings = Settings {
        database_url: database.url.clone().into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_password: Some(ADMIN_PASSWORD.into()),
        pii_key: Some(PII_KEY.into()),
        introspection: true,
        districts: None,
        session_ttl_hours: 1,
        db_max_connections: 8,
        db_acquire_timeout_ms: 10_000,
        verify_per_minute: 30,
        login_failures_per_account: 5,
        login_failures_per_address: 20,
        request_timeout_ms: 30_000,
        max_aliases: 30,
        shutdown_grace_ms: 30_000,
        header_timeout_ms: 10_000,
        max_connections: 1_024,
        bulk_concurrency: 1,
    };
    configure(&mut settings);
    let app = App::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address().unwrap());
    let db = app.deps().db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        database_url,
        _database: database,
    }
}

/// `TEST_DATABASE_URL`, for a test that needs PostgreSQL (marked `#[ignore]`, run by CI
/// with `--include-ignored`): fails, never passes, without it.
pub fn require_postgres() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "this test needs PostgreSQL: set TEST_DATABASE_URL (CI runs it with --include-ignored)",
    )
}

/// Ends every connection to the app's PostgreSQL database but the caller's own, as a
/// server restart or a failover does; returns how many were ended.
pub async fn end_other_connections(app: &TestApp) -> usize {
    let admin = Database::connect(&app.database_url).await.unwrap();
    let ended = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .unwrap()
        .len();
    admin.close().await.ok();
    ended
}

/// A database that exists for one test.
struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite(PathBuf),
}

impl TestDatabase {
    async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) => {
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL connects");
                clear_stale_databases(&admin).await;
                let name = format!(
                    "test_{}_{}",
                    chrono::Utc::now().timestamp(),
                    Uuid::from_u128(rand::random()).simple()
                );
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("test database is created");
                admin.close().await.ok();
                let base = admin_url.rsplit_once('/').expect("URL has a database").0;
                Self {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            Err(_) => {
                let dir = std::env::temp_dir().join("talent-registry-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("{}.db", Uuid::from_u128(rand::random()).simple()));
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::Sqlite(path),
                }
            }
        }
    }
}

/// Drops `test_*` databases older than an hour: leftovers of runs that were killed.
async fn clear_stale_databases(admin: &DatabaseConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let cutoff = chrono::Utc::now().timestamp() - 3600;
        let rows = admin
            .query_all_raw(Statement::from_string(
                admin.get_database_backend(),
                "SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'",
            ))
            .await
            .unwrap_or_default();
        for row in rows {
            let Ok(name) = row.try_get::<String>("", "datname") else {
                continue;
            };
            let stamp = name.split('_').nth(1).and_then(|s| s.parse::<i64>().ok());
            if stamp.is_some_and(|s| s < cutoff) {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        }
    })
    .await;
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A GraphQL response.
#[derive(Debug)]
pub struct Gql {
    /// HTTP status.
    pub status: u16,
    /// The whole JSON body.
    pub body: Value,
}

impl Gql {
    /// `data` of a response that must have no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// `extensions.code` of the first error.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {}", self.body))
    }

    /// `extensions.field` of the first error.
    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }
}

impl TestApp {
    /// POSTs a GraphQL request, signed in with `token` when given.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        graphql_at(&self.client, &self.address, token, query, variables)
            .await
            .expect("request is sent")
    }

    /// POSTs a GraphQL multipart request (the GraphQL multipart request spec) whose
    /// variable at `file_path` (e.g. `variables.input.file`) is the file `bytes`.
    pub async fn graphql_upload(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        file_path: &str,
        bytes: Vec<u8>,
    ) -> Gql {
        let operations = json!({ "query": query, "variables": variables });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": [file_path] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("roster.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        let request = self
            .client
            .post(format!("{}/graphql", self.address))
            .multipart(form);
        send(request, token).await.expect("request is sent")
    }

    /// POSTs an anonymous GraphQL request.
    pub async fn graphql(&self, query: &str, variables: Value) -> Gql {
        self.graphql_as(None, query, variables).await
    }

    /// Signs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { token } }",
                json!({ "input": { "username": username, "password": password } }),
            )
            .await;
        response.data()["login"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// A token of the bootstrap CITY_ADMIN.
    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates an institution as `admin`; returns its id.
    pub async fn create_institution(&self, admin: &str) -> String {
        let response = self
            .graphql_as(
                Some(admin),
                "mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }",
                json!({ "input": {
                    "name": format!("Institution {}", Uuid::from_u128(rand::random()).simple()),
                    "creditCode": credit_code(),
                    "district": "Nanshan",
                    "kind": "TRAINING_INSTITUTION",
                }}),
            )
            .await;
        response.data()["createInstitution"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Creates a user with `role` (and institution) as `creator`; returns a token of it.
    pub async fn user(&self, creator: &str, role: &str, institution: Option<&str>) -> String {
        let username = format!(
            "u{}",
            &Uuid::from_u128(rand::random()).simple().to_string()[..12]
        );
        let response = self
            .graphql_as(
                Some(creator),
                "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
                json!({ "input": {
                    "username": username,
                    "password": USER_PASSWORD,
                    "role": role,
                    "institutionId": institution,
                }}),
            )
            .await;
        response.data();
        self.login(&username, USER_PASSWORD).await
    }

    /// An institution with an INSTITUTION_ADMIN; returns (institution id, admin token).
    pub async fn institution_with_admin(&self, admin: &str) -> (String, String) {
        let institution = self.create_institution(admin).await;
        let token = self
            .user(admin, "INSTITUTION_ADMIN", Some(&institution))
            .await;
        (institution, token)
    }

    /// Opens a HOST course of `institution` as its admin; returns the course id.
    pub async fn create_course(&self, institution_admin: &str, institution: &str) -> String {
        let response = self
            .graphql_as(
                Some(institution_admin),
                "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id } }",
                json!({ "input": {
                    "institutionId": institution,
                    "title": "Livestream hosting basics",
                    "track": "HOST",
                    "level": 5,
                    "hours": 40,
                }}),
            )
            .await;
        response.data()["createCourse"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// POSTs a GraphQL request to the server at `address`; `Err` when it cannot be sent or
/// the answer is cut off (a server that stopped).
pub async fn graphql_at(
    client: &reqwest::Client,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> reqwest::Result<Gql> {
    let request = client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    send(request, token).await
}

/// Sends a request, signed in with `token` when given; the body must be JSON.
async fn send(mut request: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::Result<Gql> {
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("response is JSON, got {status}: {text}"));
    Ok(Gql { status, body })
}

/// The `registerTrainee` mutation selecting everything a test may assert on.
pub const REGISTER: &str = "mutation($input: RegisterTraineeInput!) {
  registerTrainee(input: $input) {
    created activationCode
    trainee { id name idNumberMasked idType phoneMasked district }
  }
}";

/// A random, valid unified social credit code.
pub fn credit_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let bytes = Uuid::from_u128(rand::random()).into_bytes();
    let mut body = String::from("91440300");
    for b in &bytes[..9] {
        body.push(ALPHABET[usize::from(*b) % 31] as char);
    }
    ALPHABET
        .iter()
        .map(|c| format!("{body}{}", *c as char))
        .find(|code| CreditCode::parse(code).is_ok())
        .unwrap()
}

/// A random, valid resident ID number (Shenzhen, born 1990).
pub fn resident_id() -> String {
    let n = Uuid::from_u128(rand::random()).as_u128();
    let body = format!(
        "440305199{}{:02}{:02}{:03}",
        n % 10,
        (n / 10) % 12 + 1,
        (n / 1000) % 28 + 1,
        (n / 100_000) % 1000
    );
    "0123456789X"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|id| IdDocument::parse(IdType::ResidentId, id).is_ok())
        .unwrap()
}
