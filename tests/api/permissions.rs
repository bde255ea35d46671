//! The write side of the permission table: every role against every mutation. A refused
//! call changes no row.

use serde_json::{Value, json};

use crate::support::app::{USER_PASSWORD, spawn_app};
use crate::support::gql::{
    CREATE_COURSE, CREATE_INSTITUTION, CREATE_PROGRAMME, CREATE_USER, REGISTER, SET_TARGET,
};
use crate::support::ids::{credit_code, resident_id, username};
use crate::support::roles::{Caller, Roles};

/// One call of the table: who, what, with which input, the rows it would add, and the
/// expected error code (`None`: allowed).
struct Case {
    caller: Caller,
    what: &'static str,
    query: &'static str,
    input: Value,
    counted: String,
    expected: Option<&'static str>,
}

fn institution_input() -> Value {
    json!({ "name": "Acme Livestream Academy", "creditCode": credit_code(), "district": "Futian", "kind": "LIVESTREAMING_BASE" })
}

fn programme_input() -> Value {
    json!({ "name": "Pilot 2026", "startsOn": "2026-01-01", "endsOn": "2026-12-31" })
}

fn trainee_input() -> Value {
    json!({ "name": "张三", "idNumber": resident_id() })
}

fn user_input(role: &str, institution: Option<&str>) -> Value {
    json!({ "username": username(), "password": USER_PASSWORD, "role": role, "institutionId": institution })
}

#[tokio::test]
async fn each_role_may_call_exactly_the_mutations_the_permission_table_allows() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let programme = app
        .graphql_as(
            Some(&w.admin),
            CREATE_PROGRAMME,
            json!({ "input": programme_input() }),
        )
        .await
        .data()["createProgramme"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (own, other) = (w.institution.as_str(), w.other_institution.as_str());
    let course_input = |institution: &str| json!({ "institutionId": institution, "title": "Product selection", "track": "PROFESSIONAL", "hours": 24 });
    let mut target = 1000;
    let mut target_input = || {
        target += 1;
        (
            json!({ "programmeId": programme, "track": "HOST", "target": target }),
            format!("programme_target WHERE target = {target}"),
        )
    };
    use Caller::*;
    const UNAUTHENTICATED: Option<&str> = Some("UNAUTHENTICATED");
    const FORBIDDEN: Option<&str> = Some("FORBIDDEN");
    let mut cases = Vec::new();
    let mut case = |caller, what, query, input, counted: &str, expected| {
        cases.push(Case {
            caller,
            what,
            query,
            input,
            counted: counted.to_owned(),
            expected,
        });
    };

    for (caller, expected) in [
        (Anonymous, UNAUTHENTICATED),
        (CityAdmin, None),
        (CityAnalyst, FORBIDDEN),
        (InstitutionAdmin, FORBIDDEN),
        (InstitutionStaff, FORBIDDEN),
        (Trainee, FORBIDDEN),
    ] {
        let p = CREATE_PROGRAMME;
        case(
            caller,
            "createProgramme",
            p,
            programme_input(),
            "programme",
            expected,
        );
        let (input, counted) = target_input();
        case(caller, "setTarget", SET_TARGET, input, &counted, expected);
        let i = CREATE_INSTITUTION;
        case(
            caller,
            "createInstitution",
            i,
            institution_input(),
            "institution",
            expected,
        );
    }
    for (caller, expected) in [
        (Anonymous, UNAUTHENTICATED),
        (CityAdmin, FORBIDDEN),
        (CityAnalyst, FORBIDDEN),
        (InstitutionAdmin, None),
        (InstitutionStaff, FORBIDDEN),
        (Trainee, FORBIDDEN),
        (OtherInstitutionAdmin, FORBIDDEN),
    ] {
        let c = CREATE_COURSE;
        case(
            caller,
            "createCourse in own",
            c,
            course_input(own),
            "course",
            expected,
        );
    }
    for (caller, expected) in [
        (Anonymous, UNAUTHENTICATED),
        (CityAdmin, FORBIDDEN),
        (CityAnalyst, FORBIDDEN),
        (InstitutionAdmin, None),
        (InstitutionStaff, None),
        (Trainee, FORBIDDEN),
    ] {
        case(
            caller,
            "registerTrainee",
            REGISTER,
            trainee_input(),
            "trainee",
            expected,
        );
    }
    let u = CREATE_USER;
    let staff = |institution| user_input("INSTITUTION_STAFF", Some(institution));
    for (caller, what, input, expected) in [
        (Anonymous, "createUser staff", staff(own), UNAUTHENTICATED),
        (
            CityAdmin,
            "createUser analyst",
            user_input("CITY_ANALYST", None),
            None,
        ),
        (
            CityAdmin,
            "createUser city admin",
            user_input("CITY_ADMIN", None),
            None,
        ),
        (
            CityAdmin,
            "createUser other's admin",
            user_input("INSTITUTION_ADMIN", Some(other)),
            None,
        ),
        (CityAdmin, "createUser staff", staff(own), None),
        (CityAnalyst, "createUser staff", staff(own), FORBIDDEN),
        (
            CityAnalyst,
            "createUser analyst",
            user_input("CITY_ANALYST", None),
            FORBIDDEN,
        ),
        (InstitutionAdmin, "createUser own staff", staff(own), None),
        (
            InstitutionAdmin,
            "createUser other's staff",
            staff(other),
            FORBIDDEN,
        ),
        (
            InstitutionAdmin,
            "createUser own admin",
            user_input("INSTITUTION_ADMIN", Some(own)),
            FORBIDDEN,
        ),
        (
            InstitutionAdmin,
            "createUser city admin",
            user_input("CITY_ADMIN", None),
            FORBIDDEN,
        ),
        (
            InstitutionStaff,
            "createUser own staff",
            staff(own),
            FORBIDDEN,
        ),
        (Trainee, "createUser own staff", staff(own), FORBIDDEN),
    ] {
        case(caller, what, u, input, "\"user\"", expected);
    }

    for case in cases {
        let Case { caller, what, .. } = case;
        let before = app.count(&case.counted).await;
        let response = app
            .graphql_as(w.token(caller), case.query, json!({ "input": case.input }))
            .await;
        let after = app.count(&case.counted).await;
        let body = &response.body;
        match case.expected {
            None => {
                assert!(body.get("errors").is_none(), "{caller:?} {what}: {body}");
                assert_eq!(after, before + 1, "{caller:?} {what} added no row");
            }
            Some(code) => {
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], code,
                    "{caller:?} {what}: {body}"
                );
                assert_eq!(after, before, "{caller:?} {what} was refused yet wrote");
            }
        }
    }
}

#[tokio::test]
async fn an_institution_admin_cannot_open_a_course_for_an_unknown_or_malformed_institution() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let input = |institution: &str| json!({ "input": { "institutionId": institution, "title": "Hosting", "track": "HOST", "hours": 8 } });

    let to_unknown = app
        .graphql_as(Some(&w.institution_admin), CREATE_COURSE, input(&unknown))
        .await;
    let malformed = app
        .graphql_as(
            Some(&w.institution_admin),
            CREATE_COURSE,
            input("not-an-id"),
        )
        .await;

    assert_eq!(to_unknown.code(), "FORBIDDEN");
    assert_eq!(malformed.code(), "BAD_USER_INPUT");
    assert_eq!(malformed.field(), Some("institutionId"));
    assert_eq!(app.count("course").await, 2, "only the world's two courses");
}

#[tokio::test]
async fn a_city_admin_cannot_create_a_user_of_an_unknown_institution() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = app.count("\"user\"").await;

    let response = app
        .graphql_as(
            Some(&admin),
            CREATE_USER,
            json!({ "input": user_input("INSTITUTION_ADMIN", Some(&uuid::Uuid::now_v7().to_string())) }),
        )
        .await;

    assert_eq!(response.code(), "NOT_FOUND");
    assert_eq!(app.count("\"user\"").await, before);
}
