//! The programme's core loop: enrolments, results and revocations, each one GraphQL call
//! through the harness, and the programme's calendar.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, Utc};
use serde_json::{Value, json};

use super::app::TestApp;
use super::gql::{Gql, id_at};

/// `enrol`, selecting the enrolment and its course's seat count.
pub const ENROL: &str = "mutation($input: EnrolInput!) {
  enrol(input: $input) {
    created
    enrolment { id status trainee { id } course { id enrolledCount } certificate { number } }
  }
}";
/// `completeEnrolment`, selecting the certificate issued.
pub const COMPLETE: &str = "mutation($input: CompleteEnrolmentInput!) {
  completeEnrolment(input: $input) {
    id status score completedAt
    certificate {
      number track level status issuedAt revokedAt
      institution { id name } course { id } holder { id name }
    }
  }
}";
/// `withdrawEnrolment`, selecting the seat count.
pub const WITHDRAW: &str = "mutation($input: WithdrawEnrolmentInput!) {
  withdrawEnrolment(input: $input) { id status course { id enrolledCount } certificate { number } }
}";
/// `revokeCertificate`, selecting the revocation.
pub const REVOKE: &str = "mutation($input: RevokeCertificateInput!) {
  revokeCertificate(input: $input) { number status revokedAt revocationReason }
}";
/// Today in the programme's calendar (China Standard Time).
pub fn today() -> NaiveDate {
    cst_date(Utc::now())
}

/// The programme date of an instant.
pub fn cst_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

/// The programme date of an RFC 3339 `DateTime` of a response.
pub fn cst_date_of(value: &Value) -> NaiveDate {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a DateTime: {value}"));
    cst_date(
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc),
    )
}

/// `today` moved by `days` (negative: into the past).
pub fn days_from_today(days: i64) -> NaiveDate {
    let today = today();
    if days >= 0 {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap()
}

/// First day of the programmes `fixtures::programme` creates: the first of this month last year.
pub fn programme_starts() -> NaiveDate {
    let today = today();
    NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).unwrap()
}

/// Last day of the programmes `fixtures::programme` creates: the end of this month next year.
pub fn programme_ends() -> NaiveDate {
    let today = today();
    NaiveDate::from_ymd_opt(today.year() + 1, today.month(), 1)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .and_then(|next| next.pred_opt())
        .unwrap()
}

/// `enrol` of `trainee` in `course` as `token`.
pub async fn enrol(app: &TestApp, token: Option<&str>, trainee: &str, course: &str) -> Gql {
    app.graphql_as(
        token,
        ENROL,
        json!({ "input": { "traineeId": trainee, "courseId": course } }),
    )
    .await
}

/// Enrols and returns the enrolment id (panics on an error).
pub async fn enrolled(app: &TestApp, token: &str, trainee: &str, course: &str) -> String {
    id_at(&enrol(app, Some(token), trainee, course).await.data()["enrol"]["enrolment"])
}

/// `completeEnrolment` of `enrolment` as `token`, with a score of 80 or 40.
pub async fn complete(app: &TestApp, token: &str, enrolment: &str, passed: bool) -> Gql {
    let score = if passed { 80 } else { 40 };
    complete_with(
        app,
        token,
        json!({ "enrolmentId": enrolment, "passed": passed, "score": score }),
    )
    .await
}

/// `completeEnrolment` of a whole input object.
pub async fn complete_with(app: &TestApp, token: &str, input: Value) -> Gql {
    app.graphql_as(Some(token), COMPLETE, json!({ "input": input }))
        .await
}

/// Passes `enrolment` with an exam on `exam`; returns the certificate number.
pub async fn passed_on(app: &TestApp, token: &str, enrolment: &str, exam: NaiveDate) -> String {
    let input = json!({ "enrolmentId": enrolment, "passed": true, "assessedOn": exam.to_string() });
    let response = complete_with(app, token, input).await;
    response.data()["completeEnrolment"]["certificate"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Enrols `trainee` in `course` and passes it; returns the certificate number.
pub async fn certify(app: &TestApp, token: &str, trainee: &str, course: &str) -> String {
    let enrolment = enrolled(app, token, trainee, course).await;
    let response = complete(app, token, &enrolment, true).await;
    response.data()["completeEnrolment"]["certificate"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `withdrawEnrolment` of `enrolment` as `token`.
pub async fn withdraw(app: &TestApp, token: &str, enrolment: &str) -> Gql {
    app.graphql_as(
        Some(token),
        WITHDRAW,
        json!({ "input": { "enrolmentId": enrolment, "reason": "moved away" } }),
    )
    .await
}

/// `revokeCertificate` of `number` as `token`.
pub async fn revoke(app: &TestApp, token: Option<&str>, number: &str, reason: &str) -> Gql {
    app.graphql_as(
        token,
        REVOKE,
        json!({ "input": { "number": number, "reason": reason } }),
    )
    .await
}
