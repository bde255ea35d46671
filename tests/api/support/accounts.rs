//! Accounts a test administers: created with their login name and id, the account
//! mutations, and the stored state of every account, to show a refusal changed nothing.

use serde_json::{Value, json};

use super::app::{TestApp, USER_PASSWORD};
use super::gql::Gql;
use super::ids::username;
use super::reads::rows;

/// `deactivateUser`, selecting the flags.
pub const DEACTIVATE: &str = "mutation($input: UserIdInput!) { deactivateUser(input: $input) { id active mustChangePassword } }";
/// `reactivateUser`, selecting the flags.
pub const REACTIVATE: &str = "mutation($input: UserIdInput!) { reactivateUser(input: $input) { id active mustChangePassword } }";
/// `resetPassword`, selecting the temporary password and the flags.
pub const RESET: &str = "mutation($input: UserIdInput!) { resetPassword(input: $input) { temporaryPassword user { id active mustChangePassword } } }";
/// `changePassword`, selecting the new session.
pub const CHANGE: &str = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { token expiresAt user { id mustChangePassword } } }";
/// `login`, selecting the token.
pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";

/// An account with its login name, id and a signed-in token.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub token: String,
}

impl TestApp {
    /// Creates an account of `role` (and institution) as `creator` and signs it in.
    pub async fn account(&self, creator: &str, role: &str, institution: Option<&str>) -> Account {
        let username = username();
        let created = self
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
        let id = created.data()["createUser"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = self.login(&username, USER_PASSWORD).await;
        Account {
            id,
            username,
            token,
        }
    }

    /// The id of the account signed in with `token`.
    pub async fn id_of(&self, token: &str) -> String {
        let me = self
            .graphql_as(Some(token), "{ me { id } }", json!({}))
            .await;
        me.data()["me"]["id"].as_str().unwrap().to_owned()
    }

    /// `query` (one of the account mutations) on account `user` as `token`.
    pub async fn on_user(&self, token: Option<&str>, query: &str, user: &str) -> Gql {
        self.graphql_as(token, query, json!({ "input": { "userId": user } }))
            .await
    }

    /// A login attempt.
    pub async fn try_login(&self, username: &str, password: &str) -> Gql {
        self.graphql(
            LOGIN,
            json!({ "input": { "username": username, "password": password } }),
        )
        .await
    }

    /// Every account's flags and password hash, and the live sessions: what an account
    /// mutation changes.
    pub async fn accounts_state(&self) -> Vec<String> {
        let mut state: Vec<String> = rows(
            self,
            "SELECT id, active, must_change_password, password_hash FROM \"user\" ORDER BY id",
        )
        .await
        .iter()
        .map(|row| {
            let id: uuid::Uuid = row.try_get("", "id").unwrap();
            let active: bool = row.try_get("", "active").unwrap();
            let must: bool = row.try_get("", "must_change_password").unwrap();
            let hash: String = row.try_get("", "password_hash").unwrap();
            format!("{id} {active} {must} {hash}")
        })
        .collect();
        let live = self.count("session WHERE revoked_at IS NULL").await;
        state.push(format!("{live} live sessions"));
        state
    }
}

/// `errors[0].message` of a response.
pub fn message(response: &Gql) -> &Value {
    &response.body["errors"][0]["message"]
}

/// Eight clients reading with `token` in a loop until [`SessionStream::finish`], each
/// request noted with when it was sent and whether it was answered `UNAUTHENTICATED`: a
/// session ended "at once" refuses every request sent after the ending call's answer.
pub struct SessionStream {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    clients: Vec<tokio::task::JoinHandle<Vec<(std::time::Instant, bool)>>>,
}

impl SessionStream {
    /// Starts the clients and lets them run for 200 ms.
    pub async fn start(app: &TestApp, token: &str) -> Self {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..8 {
            let (app, token, done) = (app.clone(), token.to_owned(), done.clone());
            clients.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let sent = std::time::Instant::now();
                    let response = app
                        .graphql_as(Some(&token), "{ courses { totalCount } }", json!({}))
                        .await;
                    let refused =
                        response.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED";
                    answers.push((sent, refused));
                }
                answers
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        Self { done, clients }
    }

    /// Lets the clients run 300 ms past `ended` (when the ending call was answered), stops
    /// them, and asserts that requests were answered before and refused after it.
    pub async fn finish(self, ended: std::time::Instant) {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        let (mut before, mut after) = (0, 0);
        for client in self.clients {
            for (sent, refused) in client.await.unwrap() {
                if sent > ended {
                    after += 1;
                    assert!(
                        refused,
                        "a request sent after the session ended was answered"
                    );
                } else if !refused {
                    before += 1;
                }
            }
        }
        assert!(before > 0 && after > 0, "before {before}, after {after}");
    }
}
