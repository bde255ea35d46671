//! Table-driven refusals: each case is sent and must be refused with its code and field,
//! never a 5xx, and change no row.

use serde_json::{Value, json};

use super::app::TestApp;
use super::ids::resident_id;
use super::roles::{Caller, Roles};

/// Tables whose rows a refused call must leave alone.
pub const TABLES: [&str; 8] = [
    "institution",
    "course",
    "trainee",
    "enrolment",
    "certificate",
    "programme",
    "programme_target",
    "\"user\"",
];

/// One hostile call: who sends it, what it is, the variables, and the expected code and
/// `extensions.field`.
pub struct Case {
    caller: Caller,
    why: String,
    query: String,
    variables: Value,
    code: &'static str,
    field: Option<&'static str>,
}

impl Case {
    /// A case expecting `BAD_USER_INPUT`.
    pub fn new(
        caller: Caller,
        why: impl Into<String>,
        query: impl Into<String>,
        variables: Value,
    ) -> Self {
        Self {
            caller,
            why: why.into(),
            query: query.into(),
            variables,
            code: "BAD_USER_INPUT",
            field: None,
        }
    }

    /// The case expects `BAD_USER_INPUT` on `field`.
    pub fn refused_on(self, field: &'static str) -> Self {
        Self {
            field: Some(field),
            ..self
        }
    }

    /// The case expects `code` instead.
    pub fn code(self, code: &'static str) -> Self {
        Self { code, ..self }
    }
}

/// Row counts of [`TABLES`].
pub async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        counts.push(app.count(table).await);
    }
    counts
}

/// Sends every case and asserts its code, its field, no 5xx and no changed row; reports
/// every failing case at once.
pub async fn assert_each_refused(app: &TestApp, w: &Roles, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let (caller, why) = (case.caller, &case.why);
        let before = snapshot(app).await;
        let response = app
            .graphql_as(w.token(caller), &case.query, case.variables)
            .await;
        let after = snapshot(app).await;
        let body = &response.body;
        let code = body["errors"][0]["extensions"]["code"].as_str();
        let field_ok = case.code != "BAD_USER_INPUT" || response.field() == case.field;
        if response.status >= 500 || code != Some(case.code) || !field_ok || after != before {
            let body = body.to_string();
            let shown = body.get(..300).unwrap_or(&body);
            failures.push(format!(
                "{caller:?} {why}: status {}, expected {} on {:?}, rows {before:?} -> {after:?}: {shown}",
                response.status, case.code, case.field
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `{ "input": value }`.
pub fn input(value: Value) -> Value {
    json!({ "input": value })
}

/// Variables registering a new person named `name`.
pub fn person(name: &str) -> Value {
    input(json!({ "name": name, "idNumber": resident_id() }))
}

/// Variables opening a HOST course of `institution`.
pub fn course(institution: &str, title: &str, hours: Value) -> Value {
    input(json!({ "institutionId": institution, "title": title, "track": "HOST", "hours": hours }))
}

/// `base` with `key` set to `value` (`Value::Null` sets null).
pub fn with(base: &Value, key: &str, value: impl Into<Value>) -> Value {
    let mut input = base.clone();
    input[key] = value.into();
    input
}

/// One refused input: why it is wrong, the input object, the field to be named.
pub type Refusal = (&'static str, Value, &'static str);

impl TestApp {
    /// Sends each refused input of `cases` to `query` as `token`, and asserts a
    /// `BAD_USER_INPUT` on the named field, no 5xx and no change to the rows of `counted`.
    pub async fn assert_refused(
        &self,
        token: &str,
        query: &str,
        counted: &str,
        cases: Vec<Refusal>,
    ) {
        for (why, input, field) in cases {
            let before = self.count(counted).await;
            let response = self
                .graphql_as(Some(token), query, json!({ "input": input }))
                .await;
            let after = self.count(counted).await;
            assert!(response.status < 500, "{why}: status {}", response.status);
            assert_eq!(
                response.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{why}: {}",
                response.body
            );
            assert_eq!(response.field(), Some(field), "{why}: {}", response.body);
            assert_eq!(after, before, "{why}: rows of {counted} changed");
        }
    }
}
