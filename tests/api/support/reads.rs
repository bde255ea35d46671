//! Reading the registry back: verification, progress, stats, seats, listed ids and raw
//! SQL counts.

use sea_orm::{ConnectionTrait, QueryResult, Statement};
use serde_json::{Value, json};

use super::app::TestApp;
use super::gql::Gql;

/// The seven `GoalKind`s, in the order `Programme.goals` and `programmeProgress.goals`
/// list them.
pub const GOAL_KINDS: [&str; 7] = [
    "CERTIFIED_HOSTS",
    "CERTIFIED_PROFESSIONALS",
    "SERVICE_INSTITUTIONS",
    "BASES_AND_PARKS",
    "ENTERPRISES_LAUNCHED",
    "INFLUENTIAL_HOSTS",
    "SALES_CNY",
];

pub const VERIFY: &str = "query($number: String!, $holderName: String!) {
  verifyCertificate(number: $number, holderName: $holderName) {
    number valid status holderNameMasked track level issuer issuedAt expiresAt
  }
}";
pub const MY_CERTIFICATES: &str =
    "{ myCertificates { number track status holder { id } institution { id } } }";
pub const PROGRESS: &str = "query($programmeId: ID) {
  programmeProgress(programmeId: $programmeId) {
    programme { id }
    targets { track target certified inTraining ratio projectedReachDate reachedOn }
  }
}";
pub const STATS: &str = "query($filter: StatsFilter, $groupBy: [StatsDimension!]!) {
  stats(filter: $filter, groupBy: $groupBy) {
    track district institution { id } month level
    trainees enrolments completions certifiedPersons
  }
}";

/// Anonymous `verifyCertificate`.
pub async fn verify(app: &TestApp, number: &str, holder_name: &str) -> Gql {
    app.graphql(
        VERIFY,
        json!({ "number": number, "holderName": holder_name }),
    )
    .await
}

/// `programmeProgress` of `programme` as `token`.
pub async fn progress(app: &TestApp, token: &str, programme: &str) -> Gql {
    app.graphql_as(Some(token), PROGRESS, json!({ "programmeId": programme }))
        .await
}

/// The progress entry of `track` in a `programmeProgress` response.
pub fn on_track<'a>(response: &'a Gql, track: &str) -> &'a Value {
    response.data()["programmeProgress"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["track"] == track)
        .unwrap_or_else(|| panic!("no {track} target in {}", response.body))
}

/// (certified, inTraining) of `track` in `programme`, read by `token`.
pub async fn counts(app: &TestApp, token: &str, programme: &str, track: &str) -> (i64, i64) {
    let response = progress(app, token, programme).await;
    let entry = on_track(&response, track);
    (
        entry["certified"].as_i64().unwrap(),
        entry["inTraining"].as_i64().unwrap(),
    )
}

/// `stats` as `token`.
pub async fn stats(app: &TestApp, token: Option<&str>, filter: Value, group_by: &[&str]) -> Gql {
    app.graphql_as(
        token,
        STATS,
        json!({ "filter": filter, "groupBy": group_by }),
    )
    .await
}

/// `enrolledCount` of `course`, read by CITY_ADMIN `admin`.
pub async fn enrolled_count(app: &TestApp, admin: &str, course: &str) -> i64 {
    let response = app
        .graphql_as(
            Some(admin),
            "{ courses(first: 100) { edges { node { id enrolledCount } } } }",
            json!({}),
        )
        .await;
    response.data()["courses"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|edge| edge["node"]["id"] == course)
        .unwrap_or_else(|| panic!("course {course} not listed"))["node"]["enrolledCount"]
        .as_i64()
        .unwrap()
}

/// Rows of a raw SQL query (literal values inlined: no placeholders).
pub async fn rows(app: &TestApp, sql: &str) -> Vec<QueryResult> {
    app.db
        .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The single count `n` of a raw SQL query.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    rows(app, sql).await[0].try_get::<i64>("", "n").unwrap()
}

impl TestApp {
    /// Rows of `from` (a table, optionally with a `WHERE`), counted in the database.
    pub async fn count(&self, from: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {from}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Ids of the nodes of the connection `field` read as `token` (panics on errors).
    pub async fn ids(&self, token: &str, field: &str) -> Vec<String> {
        let query = format!("{{ {field}(first: 100) {{ edges {{ node {{ id }} }} }} }}");
        let response = self.graphql_as(Some(token), &query, json!({})).await;
        node_ids(&response.data()[field])
    }
}

/// Ids of a connection's nodes, sorted.
pub fn node_ids(connection: &Value) -> Vec<String> {
    let mut ids: Vec<String> = connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection}"))
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}
