//! Fixtures beyond the harness: identity numbers that break one rule, trainee accounts,
//! row counts, refusal tables and a small world holding every role.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Gql, REGISTER, TestApp, USER_PASSWORD, resident_id};

/// `createInstitution`, selecting every field.
pub const CREATE_INSTITUTION: &str = "mutation($input: CreateInstitutionInput!) {
  createInstitution(input: $input) { id name creditCode district kind }
}";
/// `createCourse`, selecting the validated fields.
pub const CREATE_COURSE: &str = "mutation($input: CreateCourseInput!) {
  createCourse(input: $input) { id title track level hours capacity startsOn endsOn }
}";
/// `createUser`, selecting role and institution.
pub const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { id role institution { id } } }";
/// `createProgramme`, selecting every field.
pub const CREATE_PROGRAMME: &str = "mutation($input: CreateProgrammeInput!) {
  createProgramme(input: $input) { id name startsOn endsOn targets { track target } }
}";
/// `setTarget`, selecting the targets.
pub const SET_TARGET: &str = "mutation($input: SetTargetInput!) {
  setTarget(input: $input) { id targets { track target } }
}";
/// `activateTraineeAccount`, selecting the token and the account.
pub const ACTIVATE: &str = "mutation($input: ActivateTraineeInput!) {
  activateTraineeAccount(input: $input) { token user { username role } }
}";

/// ISO 7064 MOD 11-2 check character of 17 digits (resident IDs).
pub fn mod_11_2(first_17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first_17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

/// A resident ID with a correct check digit around `birth` (`YYYYMMDD`, not checked).
pub fn resident_id_born(birth: &str) -> String {
    let body = format!("440305{birth}{:03}", rand::random::<u16>() % 1000);
    let check = mod_11_2(&body);
    format!("{body}{check}")
}

/// A valid resident ID whose check character is `X`.
pub fn resident_id_ending_in_x() -> String {
    std::iter::repeat_with(resident_id)
        .find(|id| id.ends_with('X'))
        .unwrap()
}

/// `valid` with its last character replaced by another one of `alphabet`: a wrong check.
pub fn with_wrong_check(valid: &str, alphabet: &str) -> String {
    let last = valid.chars().last().unwrap();
    let other = alphabet.chars().find(|c| *c != last).unwrap();
    format!("{}{other}", &valid[..valid.len() - 1])
}

/// `n` random decimal digits.
pub fn digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rand::random::<u8>() % 10))
        .collect()
}

/// A fresh login name.
pub fn username() -> String {
    format!(
        "u{}",
        &Uuid::from_u128(rand::random()).simple().to_string()[..12]
    )
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

    /// `registerTrainee` of `input` as `token`.
    pub async fn register(&self, token: &str, input: Value) -> Gql {
        self.graphql_as(Some(token), REGISTER, json!({ "input": input }))
            .await
    }

    /// Registers a new person as `staff`; returns (trainee id, activation code).
    pub async fn register_trainee(&self, staff: &str) -> (String, String) {
        let response = self
            .register(staff, json!({ "name": "张三", "idNumber": resident_id() }))
            .await;
        let payload = &response.data()["registerTrainee"];
        (
            payload["trainee"]["id"].as_str().unwrap().to_owned(),
            payload["activationCode"].as_str().unwrap().to_owned(),
        )
    }

    /// `activateTraineeAccount` with `code` under `username`.
    pub async fn activate(&self, code: &str, username: &str) -> Gql {
        self.graphql(
            ACTIVATE,
            json!({ "input": { "activationCode": code, "username": username, "password": USER_PASSWORD } }),
        )
        .await
    }

    /// A person registered by `staff` with an activated account; returns (trainee id, token).
    pub async fn trainee_account(&self, staff: &str) -> (String, String) {
        let (trainee, code) = self.register_trainee(staff).await;
        let session = self.activate(&code, &username()).await;
        let token = session.data()["activateTraineeAccount"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        (trainee, token)
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

/// Who calls: every role of the permission table, plus an admin of another institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    CityAdmin,
    CityAnalyst,
    InstitutionAdmin,
    InstitutionStaff,
    Trainee,
    OtherInstitutionAdmin,
}

/// Two institutions with a course and a registered person each, and a token per role.
/// The role tokens belong to the first institution; the TRAINEE is its person.
pub struct World {
    pub admin: String,
    pub analyst: String,
    pub institution: String,
    pub institution_admin: String,
    pub staff: String,
    pub trainee: String,
    pub trainee_token: String,
    pub course: String,
    pub other_institution: String,
    pub other_admin: String,
    pub other_trainee: String,
    pub other_course: String,
}

impl World {
    /// Builds the world through the API.
    pub async fn build(app: &TestApp) -> Self {
        let admin = app.admin_token().await;
        let analyst = app.user(&admin, "CITY_ANALYST", None).await;
        let (institution, institution_admin) = app.institution_with_admin(&admin).await;
        let staff = app
            .user(&institution_admin, "INSTITUTION_STAFF", Some(&institution))
            .await;
        let (trainee, trainee_token) = app.trainee_account(&staff).await;
        let course = app.create_course(&institution_admin, &institution).await;
        let (other_institution, other_admin) = app.institution_with_admin(&admin).await;
        let (other_trainee, _) = app.register_trainee(&other_admin).await;
        let other_course = app.create_course(&other_admin, &other_institution).await;
        Self {
            admin,
            analyst,
            institution,
            institution_admin,
            staff,
            trainee,
            trainee_token,
            course,
            other_institution,
            other_admin,
            other_trainee,
            other_course,
        }
    }

    /// The bearer token of `caller`; none for `Anonymous`.
    pub fn token(&self, caller: Caller) -> Option<&str> {
        match caller {
            Caller::Anonymous => None,
            Caller::CityAdmin => Some(&self.admin),
            Caller::CityAnalyst => Some(&self.analyst),
            Caller::InstitutionAdmin => Some(&self.institution_admin),
            Caller::InstitutionStaff => Some(&self.staff),
            Caller::Trainee => Some(&self.trainee_token),
            Caller::OtherInstitutionAdmin => Some(&self.other_admin),
        }
    }
}
