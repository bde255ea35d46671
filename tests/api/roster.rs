//! An institution's daily lists and corrections: rosters and certificate lists, names
//! whole for the owning institution and the person, course and person corrections, and
//! the refusal of a known document under another name.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::fixtures::{NewCourse, register_id};
use crate::support::flows::{certify, days_from_today, enrolled, revoke, withdraw};
use crate::support::gql::{Gql, id_at};
use crate::support::ids::resident_id;
use crate::support::reads::{node_ids, verify};

const ROSTER: &str = "query($filter: EnrolmentFilter) {
  enrolments(first: 100, filter: $filter) {
    totalCount
    edges { node { id status trainee { id name nameMasked phone } course { id } } }
  }
}";

const COURSE_ROSTER: &str = "query($status: EnrolmentStatus) {
  courses(first: 100) { edges { node { id enrolments(status: $status) {
    totalCount edges { node { id trainee { name } } }
  } } } }
}";

const CERTIFICATES: &str = "query($filter: CertificateFilter) {
  certificates(first: 100, filter: $filter) {
    totalCount
    edges { node { id number status revokedBy { username role } holder { name } } }
  }
}";

const UPDATE_COURSE: &str = "mutation($input: UpdateCourseInput!) {
  updateCourse(input: $input) { id title hours capacity startsOn endsOn enrolledCount }
}";

const CORRECT: &str = "mutation($input: CorrectTraineeInput!) {
  correctTrainee(input: $input) { id name phone district }
}";

const PERSON: &str = "query($filter: TraineeFilter) {
  trainees(first: 10, filter: $filter) { edges { node { id name nameMasked phone } } }
}";

async fn roster(app: &crate::support::app::TestApp, token: &str, filter: Value) -> Gql {
    app.graphql_as(Some(token), ROSTER, json!({ "filter": filter }))
        .await
}

/// Registers 王小明 with a phone as `token`; returns (trainee id, activation code).
async fn register_ming(app: &crate::support::app::TestApp, token: &str) -> (String, String) {
    let response = app
        .register(
            token,
            json!({ "name": "王小明", "idNumber": resident_id(), "phone": "13800138000" }),
        )
        .await;
    let payload = &response.data()["registerTrainee"];
    let code = payload["activationCode"].as_str().unwrap_or("").to_owned();
    (id_at(&payload["trainee"]), code)
}

fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn an_institution_lists_its_course_roster_with_full_names_and_phones() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let course = school.course(NewCourse::host()).await;
    let other_course = school.course(NewCourse::professional()).await;
    let (ming, _) = register_ming(&app, &school.admin).await;
    let hong = school.person("李红", &resident_id()).await;
    let elsewhere = school.person("赵六", &resident_id()).await;
    enrolled(&app, &school.admin, &ming, &course).await;
    let left = enrolled(&app, &school.admin, &hong, &course).await;
    enrolled(&app, &school.admin, &elsewhere, &other_course).await;
    withdraw(&app, &school.admin, &left).await.data();

    let staff = school.staff().await;
    let response = roster(&app, &staff, json!({ "courseId": course })).await;
    let list = &response.data()["enrolments"];
    assert_eq!(list["totalCount"], 2);
    let people: Vec<Value> = nodes(list).iter().map(|n| n["trainee"].clone()).collect();
    let ming_row = people.iter().find(|t| t["id"] == ming.as_str()).unwrap();
    assert_eq!(ming_row["name"], "王小明");
    assert_eq!(ming_row["nameMasked"], "王**");
    assert_eq!(ming_row["phone"], "13800138000");

    let response = roster(
        &app,
        &staff,
        json!({ "courseId": course, "status": "ENROLLED" }),
    )
    .await;
    let list = &response.data()["enrolments"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(nodes(list)[0]["trainee"]["id"], ming.as_str());

    let response = app
        .graphql_as(
            Some(&staff),
            COURSE_ROSTER,
            json!({ "status": "WITHDRAWN" }),
        )
        .await;
    let courses = nodes(&response.data()["courses"]);
    let this = courses.iter().find(|c| c["id"] == course.as_str()).unwrap();
    assert_eq!(this["enrolments"]["totalCount"], 1);
    assert_eq!(nodes(&this["enrolments"])[0]["trainee"]["name"], "李红");
}

#[tokio::test]
async fn another_institution_sees_no_roster_and_the_city_sees_names_masked() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let rival = world.institution().await;
    let course = school.course(NewCourse::host()).await;
    let (ming, _) = register_ming(&app, &school.admin).await;
    enrolled(&app, &school.admin, &ming, &course).await;

    for filter in [
        json!({ "courseId": course }),
        json!({ "traineeId": ming }),
        json!({ "institutionId": school.id }),
        json!({}),
    ] {
        let response = roster(&app, &rival.admin, filter.clone()).await;
        assert_eq!(
            response.data()["enrolments"]["totalCount"],
            0,
            "rival with {filter}"
        );
    }

    let response = roster(&app, &world.admin, json!({ "courseId": course })).await;
    let person = &nodes(&response.data()["enrolments"])[0]["trainee"];
    assert_eq!(person["name"], "王**");
    assert_eq!(person["nameMasked"], "王**");
    assert_eq!(person["phone"], Value::Null);

    let analyst = world.user("CITY_ANALYST", None).await;
    for query in [ROSTER, CERTIFICATES] {
        let response = app.graphql_as(Some(&analyst), query, json!({})).await;
        assert_eq!(response.code(), "FORBIDDEN");
    }
}

#[tokio::test]
async fn a_trainee_sees_their_own_name_phone_and_enrolments_whole() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let course = school.course(NewCourse::host()).await;
    let (ming, code) = register_ming(&app, &school.admin).await;
    enrolled(&app, &school.admin, &ming, &course).await;
    let other = school.trainee().await;
    enrolled(&app, &school.admin, &other, &course).await;
    let token = crate::support::fixtures::activate(&app, &code).await;

    let response = roster(&app, &token, json!({})).await;
    let list = &response.data()["enrolments"];
    assert_eq!(list["totalCount"], 1);
    let me = &nodes(list)[0]["trainee"];
    assert_eq!(me["name"], "王小明");
    assert_eq!(me["phone"], "13800138000");
}

#[tokio::test]
async fn an_institution_lists_the_certificates_it_issued_by_status_and_date() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let rival = world.institution().await;
    let course = school.course(NewCourse::host()).await;
    let kept = school.person("王小明", &resident_id()).await;
    let lost = school.person("李红", &resident_id()).await;
    certify(&app, &school.admin, &kept, &course).await;
    let revoked = certify(&app, &school.admin, &lost, &course).await;
    revoke(&app, Some(&school.admin), &revoked, "exam fraud")
        .await
        .data();
    let rival_course = rival.course(NewCourse::host()).await;
    let theirs = rival.trainee().await;
    certify(&app, &rival.admin, &theirs, &rival_course).await;

    let all = app
        .graphql_as(Some(&school.admin), CERTIFICATES, json!({}))
        .await;
    let list = &all.data()["certificates"];
    assert_eq!(list["totalCount"], 2);
    let holders: Vec<Value> = nodes(list)
        .iter()
        .map(|n| n["holder"]["name"].clone())
        .collect();
    assert!(holders.contains(&json!("王小明")), "{holders:?}");

    let response = app
        .graphql_as(
            Some(&school.admin),
            CERTIFICATES,
            json!({ "filter": { "status": "REVOKED" } }),
        )
        .await;
    let list = nodes(&response.data()["certificates"]);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["number"], revoked.as_str());
    assert_eq!(list[0]["status"], "REVOKED");
    assert_eq!(list[0]["revokedBy"]["role"], "INSTITUTION_ADMIN");

    let valid = app
        .graphql_as(
            Some(&school.admin),
            CERTIFICATES,
            json!({ "filter": { "status": "VALID", "track": "HOST" } }),
        )
        .await;
    assert_eq!(valid.data()["certificates"]["totalCount"], 1);

    let future = days_from_today(1).to_string();
    let none = app
        .graphql_as(
            Some(&school.admin),
            CERTIFICATES,
            json!({ "filter": { "issuedFrom": future } }),
        )
        .await;
    assert_eq!(none.data()["certificates"]["totalCount"], 0);

    let backwards = app
        .graphql_as(
            Some(&school.admin),
            CERTIFICATES,
            json!({ "filter": {
                "issuedFrom": days_from_today(0).to_string(),
                "issuedTo": days_from_today(-1).to_string(),
            } }),
        )
        .await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
    assert_eq!(backwards.field(), Some("issuedTo"));

    let city = app
        .graphql_as(Some(&world.admin), CERTIFICATES, json!({}))
        .await;
    assert_eq!(city.data()["certificates"]["totalCount"], 3);
    let theirs_only = app
        .graphql_as(
            Some(&rival.admin),
            CERTIFICATES,
            json!({ "filter": { "courseId": course } }),
        )
        .await;
    assert_eq!(theirs_only.data()["certificates"]["totalCount"], 0);
}

#[tokio::test]
async fn a_course_is_corrected_but_never_below_the_seats_taken() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let course = school.course(NewCourse::host().capacity(5)).await;
    for _ in 0..3 {
        let person = school.trainee().await;
        enrolled(&app, &school.admin, &person, &course).await;
    }
    let update = |input: Value| {
        let app = app.clone();
        let token = school.admin.clone();
        async move {
            app.graphql_as(Some(&token), UPDATE_COURSE, json!({ "input": input }))
                .await
        }
    };

    let refused = update(json!({ "courseId": course, "capacity": 2, "title": "New" })).await;
    assert_eq!(refused.code(), "CONFLICT");
    assert_eq!(refused.field(), Some("capacity"));

    let starts = days_from_today(-10).to_string();
    let ends = days_from_today(30).to_string();
    let response = update(json!({
        "courseId": course, "title": "直播带货实务（第二期）", "hours": 96, "capacity": 3,
        "startsOn": starts, "endsOn": ends,
    }))
    .await;
    let updated = &response.data()["updateCourse"];
    assert_eq!(updated["title"], "直播带货实务（第二期）");
    assert_eq!(updated["hours"], 96);
    assert_eq!(updated["capacity"], 3);
    assert_eq!(updated["startsOn"], starts.as_str());
    assert_eq!(updated["enrolledCount"], 3);

    let backwards =
        update(json!({ "courseId": course, "endsOn": days_from_today(-20).to_string() })).await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
    assert_eq!(backwards.field(), Some("endsOn"));

    let response = update(json!({ "courseId": course, "capacity": null, "endsOn": null })).await;
    let cleared = &response.data()["updateCourse"];
    assert_eq!(cleared["capacity"], Value::Null);
    assert_eq!(cleared["endsOn"], Value::Null);
    assert_eq!(cleared["hours"], 96, "a field left out stays as it was");

    let rival = world.institution().await;
    let response = app
        .graphql_as(
            Some(&rival.admin),
            UPDATE_COURSE,
            json!({ "input": { "courseId": course, "title": "Taken over" } }),
        )
        .await;
    assert_eq!(response.code(), "NOT_FOUND");
    let staff = school.staff().await;
    let response = app
        .graphql_as(
            Some(&staff),
            UPDATE_COURSE,
            json!({ "input": { "courseId": course, "title": "Staff edit" } }),
        )
        .await;
    assert_eq!(response.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_misspelt_name_is_corrected_with_a_reason_and_verification_follows() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let course = school.course(NewCourse::host()).await;
    let person = school.person("张山", &resident_id()).await;
    let number = certify(&app, &school.admin, &person, &course).await;
    assert_eq!(
        verify(&app, &number, "张三").await.data()["verifyCertificate"]["valid"],
        false
    );

    let no_reason = app
        .graphql_as(
            Some(&school.admin),
            CORRECT,
            json!({ "input": { "traineeId": person, "name": "张三", "reason": "  " } }),
        )
        .await;
    assert_eq!(no_reason.code(), "BAD_USER_INPUT");
    assert_eq!(no_reason.field(), Some("reason"));

    let staff = school.staff().await;
    let response = app
        .graphql_as(
            Some(&staff),
            CORRECT,
            json!({ "input": {
                "traineeId": person, "name": "张三", "phone": "13912345678",
                "reason": "misspelt at registration",
            } }),
        )
        .await;
    let corrected = &response.data()["correctTrainee"];
    assert_eq!(corrected["name"], "张三");
    assert_eq!(corrected["phone"], "13912345678");
    assert_eq!(
        verify(&app, &number, "张三").await.data()["verifyCertificate"]["valid"],
        true
    );
    assert_eq!(
        verify(&app, &number, "张山").await.data()["verifyCertificate"]["valid"],
        false
    );

    let audit = app
        .graphql_as(
            Some(&world.admin),
            "query($id: ID) { auditLog(first: 100, filter: { recordId: $id }) {
               edges { node { action detail } } } }",
            json!({ "id": person }),
        )
        .await;
    let entries = nodes(&audit.data()["auditLog"]);
    let entry = entries
        .iter()
        .find(|e| e["action"] == "correctTrainee")
        .unwrap_or_else(|| panic!("no correction in {entries:?}"));
    let detail = entry["detail"].as_str().unwrap();
    assert!(
        detail.contains("name") && detail.contains("phone"),
        "{detail}"
    );
    assert!(detail.contains("misspelt at registration"), "{detail}");
    assert!(
        !detail.contains("张") && !detail.contains("139"),
        "values leaked: {detail}"
    );

    let rival = world.institution().await;
    let response = app
        .graphql_as(
            Some(&rival.admin),
            CORRECT,
            json!({ "input": { "traineeId": person, "name": "李四", "reason": "takeover" } }),
        )
        .await;
    assert_eq!(response.code(), "NOT_FOUND");
    let analyst = world.user("CITY_ANALYST", None).await;
    let response = app
        .graphql_as(
            Some(&analyst),
            CORRECT,
            json!({ "input": { "traineeId": person, "name": "李四", "reason": "x" } }),
        )
        .await;
    assert_eq!(response.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_known_document_under_another_name_is_refused_everywhere() {
    let app = spawn_app().await;
    let world = app.world().await;
    let school = world.institution().await;
    let rival = world.institution().await;
    let course = rival.course(NewCourse::host()).await;
    let document = resident_id();
    let (person, _) = register_id(&app, &school.admin, "王小明", &document).await;

    let response = app
        .register(
            &rival.admin,
            json!({ "name": "王晓明", "idNumber": document }),
        )
        .await;
    assert_eq!(response.code(), "CONFLICT");
    assert_eq!(response.field(), Some("name"));
    let owned = app
        .graphql_as(
            Some(&rival.admin),
            PERSON,
            json!({ "filter": { "idNumber": document } }),
        )
        .await;
    assert_eq!(node_ids(&owned.data()["trainees"]), Vec::<String>::new());

    let response = app
        .graphql_as(
            Some(&rival.admin),
            "mutation($input: EnrolManyInput!) { enrolMany(input: $input) {
               createdCount results { index error { code field } } } }",
            json!({ "input": { "courseId": course, "trainees": [
                { "name": "王晓明", "idNumber": document },
                { "name": "李四", "idNumber": resident_id() },
            ] } }),
        )
        .await;
    let payload = &response.data()["enrolMany"];
    assert_eq!(payload["createdCount"], 1);
    assert_eq!(payload["results"][0]["error"]["code"], "CONFLICT");
    assert_eq!(payload["results"][0]["error"]["field"], "name");

    // The same name written with a full-width space and surrounding blanks is the same.
    let response = app
        .register(
            &rival.admin,
            json!({ "name": " 王　小明 ", "idNumber": document }),
        )
        .await;
    let payload = &response.data()["registerTrainee"];
    assert_eq!(payload["created"], false);
    assert_eq!(id_at(&payload["trainee"]), person);
}

/// The daily-work mutations of DESIGN.md §2.1 against every role the permission table does
/// not name for them: refused with the role's code, nothing written.
#[tokio::test]
async fn every_daily_work_mutation_refuses_the_roles_not_named_for_it() {
    use crate::support::hostile::{Case, assert_each_refused, input};
    use crate::support::roles::{Caller, Roles};
    use Caller::*;

    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let user_of_theirs = app
        .graphql_as(
            Some(&w.admin),
            "{ users(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let some_user = user_of_theirs.data()["users"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let operations: Vec<(&str, &str, Value, &[Caller])> = vec![
        (
            "updateCourse",
            "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { id } }",
            input(json!({ "courseId": w.course, "title": "Taken over" })),
            &[Anonymous, CityAdmin, CityAnalyst, InstitutionStaff, Trainee],
        ),
        (
            "correctTrainee",
            CORRECT,
            input(json!({ "traineeId": w.trainee, "name": "李四", "reason": "hostile" })),
            &[Anonymous, CityAnalyst, Trainee],
        ),
        (
            "recordResults",
            "mutation($input: RecordResultsInput!) { recordResults(input: $input) { passedCount } }",
            input(json!({ "courseId": w.course, "results": [] })),
            &[Anonymous, CityAdmin, CityAnalyst, Trainee],
        ),
        (
            "reissueActivationCode",
            "mutation($input: TraineeIdInput!) { reissueActivationCode(input: $input) { activationCode } }",
            input(json!({ "traineeId": w.trainee })),
            &[Anonymous, CityAdmin, CityAnalyst, Trainee],
        ),
        (
            "deactivateUser",
            "mutation($input: UserIdInput!) { deactivateUser(input: $input) { id } }",
            input(json!({ "userId": some_user })),
            &[Anonymous, CityAnalyst, InstitutionStaff, Trainee],
        ),
        (
            "resetPassword",
            "mutation($input: UserIdInput!) { resetPassword(input: $input) { temporaryPassword } }",
            input(json!({ "userId": some_user })),
            &[Anonymous, CityAnalyst, InstitutionStaff, Trainee],
        ),
    ];
    let mut cases = Vec::new();
    for (what, query, variables, callers) in operations {
        for caller in callers {
            let code = if *caller == Anonymous {
                "UNAUTHENTICATED"
            } else {
                "FORBIDDEN"
            };
            cases.push(Case::new(*caller, what, query, variables.clone()).code(code));
        }
    }
    assert_each_refused(&app, &w, cases).await;
}
