//! Deny by default across tenants: every operation that takes the id of a row another
//! institution owns (a trainee, a course, an enrolment, a certificate) answers exactly as
//! it answers an unknown id, writes nothing, and widens no one's view.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::app::{TestApp, spawn_app};
use crate::support::flows::{COMPLETE, ENROL, REVOKE, WITHDRAW, certify, enrolled};
use crate::support::hostile::{input, snapshot};
use crate::support::roles::{Caller, Roles};

const ENROL_MANY: &str = "mutation($input: EnrolManyInput!) {
  enrolMany(input: $input) { createdCount failedCount }
}";

/// One operation with the id it is given in the place of `%`.
struct Operation {
    what: &'static str,
    query: &'static str,
    variables: fn(&Roles, &str) -> Value,
    /// Refused to INSTITUTION_STAFF by role, whatever the id.
    admin_only: bool,
}

/// The operations of the institution roles that take a tenant's id.
fn operations() -> Vec<Operation> {
    vec![
        Operation {
            what: "enrol another's trainee in an own course",
            query: ENROL,
            variables: |w, id| input(json!({ "traineeId": id, "courseId": w.course })),
            admin_only: false,
        },
        Operation {
            what: "enrol an own trainee in another's course",
            query: ENROL,
            variables: |w, id| input(json!({ "traineeId": w.trainee, "courseId": id })),
            admin_only: false,
        },
        Operation {
            what: "complete another's enrolment",
            query: COMPLETE,
            variables: |_, id| input(json!({ "enrolmentId": id, "passed": true, "score": 90 })),
            admin_only: false,
        },
        Operation {
            what: "withdraw another's enrolment",
            query: WITHDRAW,
            variables: |_, id| input(json!({ "enrolmentId": id, "reason": "poached" })),
            admin_only: false,
        },
        Operation {
            what: "enrol a cohort in another's course",
            query: ENROL_MANY,
            variables: |_, id| {
                let person =
                    json!({ "name": "李四", "idNumber": crate::support::ids::resident_id() });
                input(json!({ "courseId": id, "trainees": [person] }))
            },
            admin_only: false,
        },
        Operation {
            what: "update another's course",
            query: "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { id } }",
            variables: |_, id| input(json!({ "courseId": id, "capacity": 1 })),
            admin_only: true,
        },
        Operation {
            what: "record results in another's course",
            query: "mutation($input: RecordResultsInput!) { recordResults(input: $input) { passedCount } }",
            variables: |_, id| {
                let row = json!({ "idNumber": crate::support::ids::resident_id(), "passed": true });
                input(json!({ "courseId": id, "results": [row] }))
            },
            admin_only: false,
        },
        Operation {
            what: "correct another's trainee",
            query: "mutation($input: CorrectTraineeInput!) { correctTrainee(input: $input) { id } }",
            variables: |_, id| {
                input(json!({ "traineeId": id, "name": "李四", "reason": "hostile" }))
            },
            admin_only: false,
        },
        Operation {
            what: "reissue the activation code of another's trainee",
            query: "mutation($input: TraineeIdInput!) { reissueActivationCode(input: $input) { activationCode } }",
            variables: |_, id| input(json!({ "traineeId": id })),
            admin_only: false,
        },
    ]
}

/// The error of `response` with the id it names replaced, so that two answers about
/// different ids compare equal when they say the same thing.
fn answer(app_response: &crate::support::gql::Gql, id: &str) -> (u16, Value) {
    let mut errors = app_response.body["errors"].clone();
    if let Some(errors) = errors.as_array_mut() {
        for error in errors {
            if let Some(message) = error["message"].as_str() {
                error["message"] = Value::from(message.replace(id, "<id>"));
            }
        }
    }
    (
        app_response.status,
        json!({ "data": app_response.body["data"], "errors": errors }),
    )
}

/// Trainee ids the caller can list.
async fn visible_trainees(app: &TestApp, token: &str) -> Vec<String> {
    app.ids(token, "trainees").await
}

#[tokio::test]
async fn another_institutions_ids_are_answered_exactly_like_unknown_ids_and_write_nothing() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let other_enrolment = enrolled(&app, &w.other_admin, &w.other_trainee, &w.other_course).await;
    let ids_of_theirs = |what: &str| -> String {
        if what.starts_with("enrol another's trainee") || what.contains("another's trainee") {
            w.other_trainee.clone()
        } else if what.contains("another's course") || what.contains("course") {
            w.other_course.clone()
        } else {
            other_enrolment.clone()
        }
    };

    let mut failures = Vec::new();
    for caller in [Caller::InstitutionAdmin, Caller::InstitutionStaff] {
        let token = w.token(caller).unwrap();
        for op in operations() {
            let theirs = ids_of_theirs(op.what);
            let unknown = Uuid::now_v7().to_string();
            let before = snapshot(&app).await;

            let to_theirs = app
                .graphql_as(Some(token), op.query, (op.variables)(&w, &theirs))
                .await;
            let to_unknown = app
                .graphql_as(Some(token), op.query, (op.variables)(&w, &unknown))
                .await;

            let after = snapshot(&app).await;
            let refused_by_role = op.admin_only && matches!(caller, Caller::InstitutionStaff);
            let expected = if refused_by_role {
                "FORBIDDEN"
            } else {
                "NOT_FOUND"
            };
            if to_theirs.code() != expected {
                failures.push(format!("{caller:?} {}: {}", op.what, to_theirs.body));
            }
            if answer(&to_theirs, &theirs) != answer(&to_unknown, &unknown) {
                failures.push(format!(
                    "{caller:?} {}: another's id {} but an unknown id {}",
                    op.what, to_theirs.body, to_unknown.body
                ));
            }
            if after != before {
                failures.push(format!(
                    "{caller:?} {}: rows {before:?} -> {after:?}",
                    op.what
                ));
            }
        }
        let seen = visible_trainees(&app, token).await;
        if seen.contains(&w.other_trainee) {
            failures.push(format!(
                "{caller:?} now reads the other institution's trainee"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn revoking_another_institutions_certificate_is_answered_like_an_unknown_number() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let theirs = certify(&app, &w.other_admin, &w.other_trainee, &w.other_course).await;
    let unknown = format!("{}X", &theirs[..theirs.len() - 1]);
    let unknown = if unknown == theirs {
        format!("{}Y", &theirs[..theirs.len() - 1])
    } else {
        unknown
    };
    let before = snapshot(&app).await;

    let revoke = |number: &str| input(json!({ "number": number, "reason": "hostile" }));
    let to_theirs = app
        .graphql_as(Some(&w.institution_admin), REVOKE, revoke(&theirs))
        .await;
    let to_unknown = app
        .graphql_as(Some(&w.institution_admin), REVOKE, revoke(&unknown))
        .await;
    let by_staff = app
        .graphql_as(Some(&w.staff), REVOKE, revoke(&theirs))
        .await;

    assert_eq!(to_theirs.code(), "NOT_FOUND", "{}", to_theirs.body);
    assert_eq!(answer(&to_theirs, &theirs), answer(&to_unknown, &unknown));
    // Staff may revoke nothing at all: refused by role, before any lookup.
    assert_eq!(by_staff.code(), "FORBIDDEN", "{}", by_staff.body);
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn an_institution_brings_in_a_person_known_elsewhere_by_document_not_by_id() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let document = crate::support::ids::resident_id();
    let registered = app
        .register(
            &w.other_admin,
            json!({ "name": "王五", "idNumber": document }),
        )
        .await;
    let person = registered.data()["registerTrainee"]["trainee"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let by_id = app
        .graphql_as(
            Some(&w.staff),
            ENROL,
            input(json!({ "traineeId": person, "courseId": w.course })),
        )
        .await;
    let by_document = app
        .register(&w.staff, json!({ "name": "王五", "idNumber": document }))
        .await;
    let then_by_id = app
        .graphql_as(
            Some(&w.staff),
            ENROL,
            input(json!({ "traineeId": person, "courseId": w.course })),
        )
        .await;

    assert_eq!(by_id.code(), "NOT_FOUND", "{}", by_id.body);
    assert_eq!(by_document.data()["registerTrainee"]["created"], false);
    assert_eq!(
        then_by_id.data()["enrol"]["created"],
        true,
        "{}",
        then_by_id.body
    );
    assert!(visible_trainees(&app, &w.staff).await.contains(&person));
}
