//! Reading the registry back: verification, progress, stats, seats and raw SQL counts.

use sea_orm::{ConnectionTrait, QueryResult, Statement};
use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

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
