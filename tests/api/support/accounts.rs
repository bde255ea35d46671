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
