//! Fixtures of the programme's core loop: courses, trainees, programmes, enrolments,
//! results and revocations, each one GraphQL call through the harness.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::helpers::{Gql, REGISTER, TestApp, USER_PASSWORD, credit_code, resident_id};

pub const ENROL: &str = "mutation($input: EnrolInput!) {
  enrol(input: $input) {
    created
    enrolment { id status trainee { id } course { id enrolledCount } certificate { number } }
  }
}";
pub const COMPLETE: &str = "mutation($input: CompleteEnrolmentInput!) {
  completeEnrolment(input: $input) {
    id status score completedAt
    certificate {
      number track level status issuedAt revokedAt
      institution { id name } course { id } holder { id name }
    }
  }
}";
pub const WITHDRAW: &str = "mutation($input: WithdrawEnrolmentInput!) {
  withdrawEnrolment(input: $input) { id status course { id enrolledCount } certificate { number } }
}";
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

/// A course to open: HOST level 5 without capacity or dates unless told otherwise.
#[derive(Debug, Clone)]
pub struct NewCourse {
    track: &'static str,
    level: Option<i32>,
    capacity: Option<i32>,
    dates: Option<(NaiveDate, NaiveDate)>,
}

impl NewCourse {
    pub fn host() -> Self {
        Self {
            track: "HOST",
            level: Some(5),
            capacity: None,
            dates: None,
        }
    }

    pub fn professional() -> Self {
        Self {
            track: "PROFESSIONAL",
            ..Self::host()
        }
    }

    pub fn level(self, level: i32) -> Self {
        Self {
            level: Some(level),
            ..self
        }
    }

    pub fn without_level(self) -> Self {
        Self {
            level: None,
            ..self
        }
    }

    pub fn capacity(self, capacity: i32) -> Self {
        Self {
            capacity: Some(capacity),
            ..self
        }
    }

    /// A course that ran two months ago and has ended.
    pub fn ended(self) -> Self {
        Self {
            dates: Some((days_from_today(-60), days_from_today(-30))),
            ..self
        }
    }

    /// Opens it for `institution` as its INSTITUTION_ADMIN; returns the course id.
    pub async fn create(self, app: &TestApp, institution_admin: &str, institution: &str) -> String {
        let response = app
            .graphql_as(
                Some(institution_admin),
                "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id } }",
                json!({ "input": {
                    "institutionId": institution,
                    "title": format!("{} course", self.track),
                    "track": self.track,
                    "level": self.level,
                    "hours": 40,
                    "capacity": self.capacity,
                    "startsOn": self.dates.map(|d| d.0.to_string()),
                    "endsOn": self.dates.map(|d| d.1.to_string()),
                }}),
            )
            .await;
        id_at(&response.data()["createCourse"])
    }
}

/// The `id` of a response object.
pub fn id_at(object: &Value) -> String {
    object["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {object}"))
        .to_owned()
}

/// Creates an institution in `district` as CITY_ADMIN `admin`; returns (id, name).
pub async fn institution_in(app: &TestApp, admin: &str, district: &str) -> (String, String) {
    let name = format!("Academy {}", &credit_code()[8..16]);
    let response = app
        .graphql_as(
            Some(admin),
            "mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }",
            json!({ "input": {
                "name": name,
                "creditCode": credit_code(),
                "district": district,
                "kind": "LIVESTREAMING_BASE",
            }}),
        )
        .await;
    (id_at(&response.data()["createInstitution"]), name)
}

/// Registers a new person named `name` as `staff`; returns (trainee id, activation code).
pub async fn register(app: &TestApp, staff: &str, name: &str) -> (String, String) {
    register_id(app, staff, name, &resident_id()).await
}

/// Registers the holder of `id_number` as `staff`; returns (trainee id, activation code
/// or "" when the person was already registered).
pub async fn register_id(
    app: &TestApp,
    staff: &str,
    name: &str,
    id_number: &str,
) -> (String, String) {
    let response = app
        .graphql_as(
            Some(staff),
            REGISTER,
            json!({ "input": { "name": name, "idNumber": id_number } }),
        )
        .await;
    let payload = &response.data()["registerTrainee"];
    (
        id_at(&payload["trainee"]),
        payload["activationCode"].as_str().unwrap_or("").to_owned(),
    )
}

/// Registers a new person as `staff`; returns the trainee id.
pub async fn trainee(app: &TestApp, staff: &str) -> String {
    register(app, staff, "张三").await.0
}

/// Activates the TRAINEE account of `code`; returns its token.
pub async fn activate(app: &TestApp, code: &str) -> String {
    let username = format!("t{}", &credit_code()[8..17].to_lowercase());
    let response = app
        .graphql(
            "mutation($input: ActivateTraineeInput!) { activateTraineeAccount(input: $input) { token } }",
            json!({ "input": { "activationCode": code, "username": username, "password": USER_PASSWORD } }),
        )
        .await;
    response.data()["activateTraineeAccount"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates a programme covering a year either side of today, whole months, with the
/// given targets; returns its id.
pub async fn programme(app: &TestApp, admin: &str, host: i32, professional: i32) -> String {
    let response = app
        .graphql_as(
            Some(admin),
            "mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) { id } }",
            json!({ "input": {
                "name": "Talent programme under test",
                "startsOn": programme_starts().to_string(),
                "endsOn": programme_ends().to_string(),
                "targets": [
                    { "track": "HOST", "target": host },
                    { "track": "PROFESSIONAL", "target": professional },
                ],
            }}),
        )
        .await;
    id_at(&response.data()["createProgramme"])
}

/// First day of the programmes [`programme`] creates: the first of this month last year.
pub fn programme_starts() -> NaiveDate {
    let today = today();
    NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).unwrap()
}

/// Last day of the programmes [`programme`] creates: the end of this month next year.
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
