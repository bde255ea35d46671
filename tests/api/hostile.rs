//! Hostile inputs, table-driven: huge and invisible text, SQL metacharacters, wrong types,
//! out-of-range numbers, malformed ids and cursors. Each is refused with its code and
//! field, never a 5xx, and changes no row. Hostile callers are in `hostile_access`; the
//! table-driven helper is `support::hostile`.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::flows::{COMPLETE, ENROL, WITHDRAW, enrolled};
use crate::support::gql::{CREATE_COURSE, CREATE_INSTITUTION, CREATE_PROGRAMME, REGISTER};
use crate::support::hostile::{Case, assert_each_refused, course, input, person};
use crate::support::ids::credit_code;
use crate::support::roles::{Caller, Roles};

fn course_with(institution: &str, key: &str, value: Value) -> Value {
    let mut variables = course(institution, "Hosting", json!(8));
    variables["input"][key] = value;
    variables
}

#[tokio::test]
async fn huge_invisible_and_mistyped_inputs_are_refused_on_their_field_and_change_nothing() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let enrolment = enrolled(&app, &w.staff, &w.trainee, &w.course).await;
    let ten_k = "a".repeat(10_000);
    let one_mib = "b".repeat(1024 * 1024);
    let own = w.institution.as_str();
    use Caller::*;
    let staff = InstitutionStaff;
    let admin = InstitutionAdmin;

    let mut cases = Vec::new();
    for (why, name) in [
        ("10k-character name", ten_k.as_str()),
        ("1 MiB name", one_mib.as_str()),
        ("NUL in a name", "张\u{0}三"),
        ("bell in a name", "张\u{7}三"),
        ("newline in a name", "张\n三"),
        ("right-to-left override in a name", "Ali\u{202E}nahK"),
        ("zero-width joiner in a name", "张\u{200D}三"),
        ("SQL in a name", "'; DROP TABLE trainee; --"),
    ] {
        cases.push(Case::new(staff, why, REGISTER, person(name)).refused_on("name"));
    }
    for (why, title) in [
        ("10k-character title", ten_k.as_str()),
        ("1 MiB title", one_mib.as_str()),
        ("NUL in a title", "Hosting\u{0}"),
        ("newline in a title", "Hosting\nbasics"),
        ("right-to-left override in a title", "Hosting\u{202E}"),
        ("blank title", " \t "),
    ] {
        cases.push(
            Case::new(admin, why, CREATE_COURSE, course(own, title, json!(8))).refused_on("title"),
        );
    }
    for (field, values) in [
        (
            "hours",
            vec![json!(0), json!(-1), json!(10_001), json!(i32::MIN)],
        ),
        (
            "level",
            vec![json!(0), json!(6), json!(-5), json!(i32::MAX)],
        ),
        ("capacity", vec![json!(0), json!(-1), json!(100_001)]),
    ] {
        for value in values {
            let why = format!("{field} {value}");
            let variables = course_with(own, field, value);
            cases.push(Case::new(admin, why, CREATE_COURSE, variables).refused_on(field));
        }
    }
    for (why, field, value) in [
        ("hours as a string", "hours", json!("forty")),
        ("hours as a float", "hours", json!(8.5)),
        ("level as a boolean", "level", json!(true)),
        ("capacity as an object", "capacity", json!({ "seats": 3 })),
        ("track not in the enum", "track", json!("DROP")),
        ("title as a list", "title", json!(["a", "b"])),
        ("institution id as a number", "institutionId", json!(12)),
        (
            "institution id not a UUID",
            "institutionId",
            json!("1 OR 1=1"),
        ),
    ] {
        let variables = course_with(own, field, value);
        cases.push(Case::new(admin, why, CREATE_COURSE, variables).refused_on(field));
    }
    for (why, variables, field) in [
        (
            "score below 0",
            json!({ "enrolmentId": enrolment, "passed": true, "score": -1 }),
            "score",
        ),
        (
            "score above 100",
            json!({ "enrolmentId": enrolment, "passed": true, "score": 101 }),
            "score",
        ),
        (
            "score past i32",
            json!({ "enrolmentId": enrolment, "passed": true, "score": 1e12 }),
            "score",
        ),
        (
            "passed as a string",
            json!({ "enrolmentId": enrolment, "passed": "yes" }),
            "passed",
        ),
        (
            "enrolment id not a UUID",
            json!({ "enrolmentId": "../../etc/passwd", "passed": true }),
            "enrolmentId",
        ),
    ] {
        cases.push(Case::new(staff, why, COMPLETE, input(variables)).refused_on(field));
    }
    for (why, reason) in [
        ("1 MiB withdrawal reason", one_mib.as_str()),
        ("NUL in a withdrawal reason", "moved\u{0}away"),
    ] {
        let variables = input(json!({ "enrolmentId": enrolment, "reason": reason }));
        cases.push(Case::new(staff, why, WITHDRAW, variables).refused_on("reason"));
    }
    for (why, trainee, course) in [
        ("trainee id not a UUID", "'; --", w.course.as_str()),
        ("trainee id of 1 MiB", one_mib.as_str(), w.course.as_str()),
        ("course id with a NUL", w.trainee.as_str(), "\u{0}"),
    ] {
        let field = if why.starts_with("trainee") {
            "traineeId"
        } else {
            "courseId"
        };
        let variables = input(json!({ "traineeId": trainee, "courseId": course }));
        cases.push(Case::new(staff, why, ENROL, variables).refused_on(field));
    }
    for (why, name, target) in [
        ("1 MiB programme name", one_mib.as_str(), json!(1)),
        ("negative target", "Pilot", json!(-1)),
        ("target past the bound", "Pilot", json!(100_000_001)),
    ] {
        let field = if why.contains("name") {
            "name"
        } else {
            "target"
        };
        let variables = input(json!({
            "name": name, "startsOn": "2026-01-01", "endsOn": "2026-12-31",
            "targets": [{ "track": "HOST", "target": target }],
        }));
        cases.push(Case::new(CityAdmin, why, CREATE_PROGRAMME, variables).refused_on(field));
    }
    cases.push(
        Case::new(
            CityAdmin,
            "1 MiB institution name",
            CREATE_INSTITUTION,
            input(json!({
                "name": one_mib, "creditCode": credit_code(), "district": "Futian", "kind": "ENTERPRISE",
            })),
        )
        .refused_on("name"),
    );
    for (why, first) in [
        ("negative page size", json!(-1)),
        ("page size as a string", json!("10")),
    ] {
        let query = "query($first: Int) { trainees(first: $first) { totalCount } }";
        cases.push(Case::new(admin, why, query, json!({ "first": first })).refused_on("first"));
    }
    for (why, after) in [
        ("1 MiB cursor", json!(one_mib)),
        ("cursor with SQL", json!("' OR 1=1 --")),
        ("cursor as a number", json!(7)),
    ] {
        let query = "query($after: String) { courses(after: $after) { totalCount } }";
        cases.push(Case::new(admin, why, query, json!({ "after": after })).refused_on("after"));
    }
    let huge_target = input(json!({
        "name": "Pilot", "startsOn": "2026-01-01", "endsOn": "2026-12-31",
        "targets": [{ "track": "HOST", "target": 1_i64 << 33 }],
    }));
    for (caller, why, query, variables, field) in [
        (
            admin,
            "hours past i32",
            CREATE_COURSE,
            course_with(own, "hours", json!(1_i64 << 40)),
            "hours",
        ),
        (
            admin,
            "start date 30 February",
            CREATE_COURSE,
            course_with(own, "startsOn", json!("2026-02-30")),
            "startsOn",
        ),
        (
            CityAdmin,
            "target past i32",
            CREATE_PROGRAMME,
            huge_target,
            "target",
        ),
    ] {
        cases.push(Case::new(caller, why, query, variables).refused_on(field));
    }
    let page = "query($first: Int) { trainees(first: $first) { totalCount } }";
    let huge_page = json!({ "first": 1_i64 << 40 });
    cases.push(Case::new(admin, "page size past i32", page, huge_page).refused_on("first"));

    assert_each_refused(&app, &w, cases).await;
}

#[tokio::test]
async fn sql_metacharacters_in_free_text_are_stored_and_returned_verbatim() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let texts = [
        "'; DROP TABLE trainee; --",
        "Robert'); DELETE FROM course WHERE ('1'='1",
        "100% off_ \\ \" ` $1 ?",
    ];
    let trainees = app.count("trainee").await;

    for text in texts {
        let response = app
            .graphql_as(
                Some(&w.institution_admin),
                CREATE_COURSE,
                course(&w.institution, text, json!(8)),
            )
            .await;
        assert_eq!(response.data()["createCourse"]["title"], text);
        let listed = app
            .graphql_as(
                Some(&w.admin),
                "{ courses(first: 100) { edges { node { title } } } }",
                json!({}),
            )
            .await;
        let titles = listed.data()["courses"]["edges"].to_string();
        assert!(
            titles.contains(&json!(text).to_string()),
            "{text}: {titles}"
        );
    }

    assert_eq!(app.count("trainee").await, trainees, "a table was touched");
    assert_eq!(app.count("course").await, 2 + texts.len() as i64);
}
