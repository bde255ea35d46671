//! The audit trail: every write and every response showing trainees' personal data is
//! recorded (who, role, what, which record, when, from where); only the city admin reads
//! it; nobody can change it; it holds no personal data.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, NewCourse, register_id};
use crate::support::flows::{self, complete, enrolled};
use crate::support::ids::resident_id;
use crate::support::reads::rows;

const AUDIT_LOG: &str = "query($filter: AuditLogFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) {
    totalCount
    edges { node { actorId actorRole client kind action recordType recordIds at } }
  }
}";

/// The entries `admin` reads with `filter`, oldest first.
pub async fn entries(app: &TestApp, admin: &str, filter: Value) -> Vec<Value> {
    let response = app
        .graphql_as(
            Some(admin),
            AUDIT_LOG,
            json!({ "filter": filter, "first": 100 }),
        )
        .await;
    response.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// (action, recordType) of each entry.
fn actions(entries: &[Value]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["recordType"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_write_is_recorded_with_its_actor_role_record_and_client_and_a_refusal_is_not() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::host().create(&app, &staff, &institution).await;
    let (trainee, _) = register_id(&app, &staff, "王小明", &resident_id()).await;
    let enrolment = enrolled(&app, &staff, &trainee, &course).await;
    complete(&app, &staff, &enrolment, true).await.data();
    let me = app
        .graphql_as(Some(&staff), "{ me { id } }", json!({}))
        .await;
    let staff_id = me.data()["me"]["id"].as_str().unwrap().to_owned();

    let by_staff = entries(
        &app,
        &admin,
        json!({ "actorId": staff_id, "kind": "WRITE" }),
    )
    .await;
    assert_eq!(
        actions(&by_staff),
        [
            ("login", "user"),
            ("createCourse", "course"),
            ("registerTrainee", "trainee"),
            ("enrol", "enrolment"),
            ("completeEnrolment", "enrolment"),
            ("completeEnrolment", "certificate"),
        ]
        .map(|(a, t)| (a.to_owned(), t.to_owned()))
    );
    for entry in &by_staff {
        assert_eq!(entry["actorRole"], "INSTITUTION_ADMIN");
        assert_eq!(entry["client"], "127.0.0.1");
    }
    assert_eq!(by_staff[2]["recordIds"], json!([trainee]));
    assert_eq!(by_staff[3]["recordIds"], json!([enrolment]));
    let about_enrolment = entries(&app, &admin, json!({ "recordId": enrolment })).await;
    assert_eq!(about_enrolment.len(), 2, "{about_enrolment:?}");

    let before = app.count("audit_log").await;
    let refused = flows::enrol(&app, Some(&admin), &trainee, &course).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let again = complete(&app, &staff, &enrolment, true).await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(app.count("audit_log").await, before);
}

#[tokio::test]
async fn a_response_showing_trainees_is_recorded_as_a_read_of_their_ids_and_a_count_is_not() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let first = fixtures::trainee(&app, &staff).await;
    let second = fixtures::trainee(&app, &staff).await;
    const READS: &str = "audit_log WHERE kind = 'READ'";
    let before = app.count(READS).await;

    app.graphql_as(
        Some(&staff),
        "{ trainees(first: 10) { totalCount } }",
        json!({}),
    )
    .await
    .data();
    assert_eq!(
        app.count(READS).await,
        before,
        "a count shows no personal data"
    );
    app.graphql_as(
        Some(&staff),
        "{ listed: trainees(first: 10) { edges { node { name idNumberMasked } } } }",
        json!({}),
    )
    .await
    .data();

    let read = entries(&app, &admin, json!({ "kind": "READ" })).await;
    let last = read.last().unwrap();
    assert_eq!(last["action"], "listed");
    assert_eq!(last["actorRole"], "INSTITUTION_ADMIN");
    let mut ids: Vec<&str> = last["recordIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut want = vec![first.as_str(), second.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
}

#[tokio::test]
async fn only_the_city_admin_reads_the_audit_log() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let analyst = app.user(&admin, "CITY_ANALYST", None).await;

    for (token, code) in [
        (Some(staff.as_str()), "FORBIDDEN"),
        (Some(analyst.as_str()), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ] {
        let response = app.graphql_as(token, AUDIT_LOG, json!({})).await;
        assert_eq!(response.code(), code, "{}", response.body);
    }
    let malformed = app
        .graphql_as(
            Some(&admin),
            AUDIT_LOG,
            json!({ "filter": { "actorId": "42" } }),
        )
        .await;
    assert_eq!(malformed.code(), "BAD_USER_INPUT");
    assert_eq!(malformed.field(), Some("actorId"));
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_holds_no_personal_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, staff) = app.institution_with_admin(&admin).await;
    let document = resident_id();
    register_id(&app, &staff, "欧阳娜娜", &document).await;
    app.graphql_as(
        Some(&staff),
        "{ trainees(first: 5) { edges { node { name } } } }",
        json!({}),
    )
    .await
    .data();

    let n = app.count("audit_log").await;
    for change in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let refused = app
            .db
            .execute_unprepared(change)
            .await
            .expect_err("the audit log must refuse changes");
        assert!(refused.to_string().contains("append-only"), "{refused}");
    }
    assert_eq!(app.count("audit_log").await, n);
    let text = format!(
        "{:?}",
        rows(&app, "SELECT * FROM audit_log")
            .await
            .iter()
            .map(|r| format!("{r:?}"))
            .collect::<Vec<_>>()
    );
    for personal in ["欧阳", &document[..], &document[10..]] {
        assert!(!text.contains(personal), "audit rows hold {personal}");
    }
}
