//! Fixtures, one builder from the city down: `app.world()` signs the CITY_ADMIN in,
//! `world.institution()` adds an institution with its admin, `institution.course(…)`,
//! `.trainee()` and `.staff()` fill it. Names, numbers and logins are fresh and random,
//! so no two tests share a row. The token-level steps the builder is made of are public
//! for tests that act as a given token.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::app::{TestApp, USER_PASSWORD};
use super::flows::{days_from_today, programme_ends, programme_starts};
use super::gql::{ACTIVATE, Gql, REGISTER, id_at};
use super::ids::{credit_code, resident_id, username};

impl TestApp {
    /// The root of every fixture: the bootstrap CITY_ADMIN signed in.
    pub async fn world(&self) -> World {
        World {
            app: self.clone(),
            admin: self.admin_token().await,
        }
    }

    /// Creates a user with `role` (and institution) as `creator`; returns a token of it.
    pub async fn user(&self, creator: &str, role: &str, institution: Option<&str>) -> String {
        self.account(creator, role, institution).await.token
    }

    /// `registerTrainee` of `input` as `token`.
    pub async fn register(&self, token: &str, input: Value) -> Gql {
        self.graphql_as(Some(token), REGISTER, json!({ "input": input }))
            .await
    }

    /// An institution with an INSTITUTION_ADMIN, created as CITY_ADMIN `admin`; returns
    /// (institution id, admin token).
    pub async fn institution_with_admin(&self, admin: &str) -> (String, String) {
        let world = World {
            app: self.clone(),
            admin: admin.to_owned(),
        };
        let institution = world.institution().await;
        (institution.id, institution.admin)
    }
}

/// The city as its CITY_ADMIN.
pub struct World {
    app: TestApp,
    /// CITY_ADMIN token.
    pub admin: String,
}

impl World {
    /// A new institution in Nanshan with its INSTITUTION_ADMIN.
    pub async fn institution(&self) -> Institution {
        self.institution_in("Nanshan").await
    }

    /// A new institution in `district` with its INSTITUTION_ADMIN.
    pub async fn institution_in(&self, district: &str) -> Institution {
        self.institution_named(&institution_name(), district).await
    }

    /// A new institution named `name` in `district` with its INSTITUTION_ADMIN.
    pub async fn institution_named(&self, name: &str, district: &str) -> Institution {
        let id = create_institution(&self.app, &self.admin, name, district).await;
        let admin = self.user("INSTITUTION_ADMIN", Some(&id)).await;
        Institution {
            app: self.app.clone(),
            id,
            name: name.to_owned(),
            admin,
        }
    }

    /// A new evaluation organisation (评价机构) in Nanshan with its INSTITUTION_ADMIN.
    pub async fn evaluator(&self) -> Institution {
        let name = institution_name();
        let id = create_organisation(&self.app, &self.admin, &name, "Nanshan", true).await;
        let admin = self.user("INSTITUTION_ADMIN", Some(&id)).await;
        Institution {
            app: self.app.clone(),
            id,
            name,
            admin,
        }
    }

    /// A user of `role` (and institution) created by the CITY_ADMIN; returns its token.
    pub async fn user(&self, role: &str, institution: Option<&str>) -> String {
        self.app.user(&self.admin, role, institution).await
    }

    /// A programme around today with these targets (see [`programme`]); returns its id.
    pub async fn programme(&self, host: i32, professional: i32) -> String {
        programme(&self.app, &self.admin, host, professional).await
    }
}

/// An institution and its INSTITUTION_ADMIN.
pub struct Institution {
    app: TestApp,
    /// Institution id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// INSTITUTION_ADMIN token.
    pub admin: String,
}

impl Institution {
    /// Opens `course` as the admin; returns the course id.
    pub async fn course(&self, course: NewCourse) -> String {
        course.create(&self.app, &self.admin, &self.id).await
    }

    /// Registers a new person as the admin; returns the trainee id.
    pub async fn trainee(&self) -> String {
        trainee(&self.app, &self.admin).await
    }

    /// Registers the holder of `id_number`, named `name`; returns the trainee id.
    pub async fn person(&self, name: &str, id_number: &str) -> String {
        register_id(&self.app, &self.admin, name, id_number).await.0
    }

    /// Opens a HOST course, enrols `trainee` and passes them, as the admin; returns the
    /// completion certificate's number.
    pub async fn certified(&self, trainee: &str) -> String {
        let course = self.course(NewCourse::host()).await;
        super::flows::certify(&self.app, &self.admin, trainee, &course).await
    }

    /// A new INSTITUTION_STAFF of this institution; returns its token.
    pub async fn staff(&self) -> String {
        self.app
            .user(&self.admin, "INSTITUTION_STAFF", Some(&self.id))
            .await
    }
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
    /// A HOST course, level 5.
    pub fn host() -> Self {
        Self {
            track: "HOST",
            level: Some(5),
            capacity: None,
            dates: None,
        }
    }

    /// A PROFESSIONAL course, level 5.
    pub fn professional() -> Self {
        Self {
            track: "PROFESSIONAL",
            ..Self::host()
        }
    }

    /// At `level`.
    pub fn level(self, level: i32) -> Self {
        Self {
            level: Some(level),
            ..self
        }
    }

    /// Without a level.
    pub fn without_level(self) -> Self {
        Self {
            level: None,
            ..self
        }
    }

    /// With `capacity` seats.
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

    /// A course that started on `starts_on` and ends in a month.
    pub fn running_since(self, starts_on: NaiveDate) -> Self {
        Self {
            dates: Some((starts_on, days_from_today(30))),
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

/// Creates a training institution of a fresh name in `district` as CITY_ADMIN `admin`;
/// returns (id, name).
pub async fn institution_in(app: &TestApp, admin: &str, district: &str) -> (String, String) {
    let name = institution_name();
    (create_institution(app, admin, &name, district).await, name)
}

/// A fresh institution name.
fn institution_name() -> String {
    format!("Academy {}", &credit_code()[8..16])
}

/// Creates a training institution named `name` in `district` as CITY_ADMIN `admin`;
/// returns its id.
pub async fn create_institution(app: &TestApp, admin: &str, name: &str, district: &str) -> String {
    create_organisation(app, admin, name, district, false).await
}

/// Creates a training institution named `name` in `district`, an evaluation
/// organisation when `evaluator`, as CITY_ADMIN `admin`; returns its id.
pub async fn create_organisation(
    app: &TestApp,
    admin: &str,
    name: &str,
    district: &str,
    evaluator: bool,
) -> String {
    let response = app
        .graphql_as(
            Some(admin),
            "mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }",
            json!({ "input": {
                "name": name,
                "creditCode": credit_code(),
                "district": district,
                "kind": "TRAINING_INSTITUTION",
                "evaluator": evaluator,
            }}),
        )
        .await;
    id_at(&response.data()["createInstitution"])
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
        .register(staff, json!({ "name": name, "idNumber": id_number }))
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

/// `activateTraineeAccount` with `code` under `username`.
pub async fn activation(app: &TestApp, code: &str, username: &str) -> Gql {
    app.graphql(
        ACTIVATE,
        json!({ "input": { "activationCode": code, "username": username, "password": USER_PASSWORD } }),
    )
    .await
}

/// Activates the TRAINEE account of `code` under a fresh login; returns its token.
pub async fn activate(app: &TestApp, code: &str) -> String {
    let response = activation(app, code, &username()).await;
    response.data()["activateTraineeAccount"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A person registered by `staff` with an activated account; returns (trainee id, token).
pub async fn trainee_account(app: &TestApp, staff: &str) -> (String, String) {
    let (trainee, code) = register(app, staff, "张三").await;
    (trainee, activate(app, &code).await)
}

/// Creates a programme from [`programme_starts`] to [`programme_ends`] with the given
/// targets; returns its id.
pub async fn programme(app: &TestApp, admin: &str, host: i32, professional: i32) -> String {
    let targets = (i64::from(host), i64::from(professional));
    programme_between(app, admin, (programme_starts(), programme_ends()), targets).await
}

/// Creates a programme over `period` (first and last day) with `(host, professional)`
/// targets; returns its id.
pub async fn programme_between(
    app: &TestApp,
    admin: &str,
    (starts, ends): (NaiveDate, NaiveDate),
    (host, professional): (i64, i64),
) -> String {
    let response = app
        .graphql_as(
            Some(admin),
            "mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) { id } }",
            json!({ "input": {
                "name": format!("Programme {starts} to {ends}"),
                "startsOn": starts.to_string(),
                "endsOn": ends.to_string(),
                "targets": [
                    { "track": "HOST", "target": host },
                    { "track": "PROFESSIONAL", "target": professional },
                ],
            }}),
        )
        .await;
    id_at(&response.data()["createProgramme"])
}
