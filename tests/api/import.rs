//! `importEnrolments`: a roster file per the GraphQL multipart request spec, reported by
//! file line; encodings (BOM, GBK), Chinese headers, malformed and oversize files, the
//! three modes, duplicates, capacity, and the fix-and-re-upload loop of a real cohort.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{Institution, NewCourse, World};
use crate::support::gql::Gql;
use crate::support::ids::{resident_id, with_wrong_check};
use crate::support::reads::enrolled_count;

const IMPORT: &str = "mutation($input: ImportEnrolmentsInput!) {
  importEnrolments(input: $input) {
    createdCount failedCount applied
    results { index created trainee { name nameMasked district } enrolment { id } error { code field message } }
  }
}";

/// Uploads `file` into `course` as `token`; `mode` None leaves the default.
async fn import(
    app: &TestApp,
    token: Option<&str>,
    course: &str,
    file: impl Into<Vec<u8>>,
    mode: Option<&str>,
) -> Gql {
    let mut input = json!({ "courseId": course, "file": null });
    if let Some(mode) = mode {
        input["mode"] = json!(mode);
    }
    app.graphql_upload(
        token,
        IMPORT,
        json!({ "input": input }),
        "variables.input.file",
        file.into(),
    )
    .await
}

fn payload(response: &Gql) -> &Value {
    &response.data()["importEnrolments"]
}

fn results(payload: &Value) -> &Vec<Value> {
    payload["results"].as_array().unwrap()
}

/// The result of the row on file line `line`.
fn at_line(payload: &Value, line: i64) -> &Value {
    results(payload)
        .iter()
        .find(|r| r["index"] == line)
        .unwrap_or_else(|| panic!("no result for line {line} in {payload}"))
}

fn assert_file_refused(response: &Gql, needle: &str) {
    assert_eq!(response.code(), "BAD_USER_INPUT", "{}", response.body);
    assert_eq!(response.field(), Some("file"), "{}", response.body);
    let message = response.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
}

/// `n` distinct valid resident ID numbers.
fn ids(n: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    std::iter::repeat_with(resident_id)
        .filter(|id| seen.insert(id.clone()))
        .take(n)
        .collect()
}

/// An institution with `course` open; returns (city, institution, course id).
async fn arrange(app: &TestApp, course: NewCourse) -> (World, Institution, String) {
    let city = app.world().await;
    let own = city.institution().await;
    let course = own.course(course).await;
    (city, own, course)
}

async fn written(app: &TestApp) -> [i64; 3] {
    [
        app.count("trainee").await,
        app.count("enrolment").await,
        app.count("trainee_institution").await,
    ]
}

#[tokio::test]
async fn each_row_is_reported_by_its_line_in_the_file_and_only_valid_rows_are_enrolled() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app, NewCourse::host()).await;
    let id = ids(5);
    let file = format!(
        "name,idType,idNumber,phone,district\n\
         张三,,{},13812345678,Nanshan\n\
         李四,RESIDENT_ID,{},,\n\
         \n\
         王五,,{},12345,\n\
         赵六,,{},,Atlantis\n\
         陈七,驾照,{},,\n\
         张3,,{},,南山\n",
        id[0],
        with_wrong_check(&id[1], "0123456789X"),
        id[2],
        id[3],
        id[4],
        resident_id(),
    );

    let response = import(&app, Some(&own.admin), &course, file, None).await;

    let payload = payload(&response);
    let lines: Vec<i64> = results(payload)
        .iter()
        .map(|r| r["index"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 5, 6, 7, 8], "the blank line 4 is skipped");
    assert_eq!(at_line(payload, 2)["created"], true);
    assert_eq!(at_line(payload, 2)["trainee"]["district"], "Nanshan");
    for (line, field) in [
        (3, "idNumber"),
        (5, "phone"),
        (6, "district"),
        (7, "idType"),
        (8, "name"),
    ] {
        let row = at_line(payload, line);
        assert_eq!(row["error"]["code"], "BAD_USER_INPUT", "{row}");
        assert_eq!(row["error"]["field"], field, "{row}");
        assert!(row["enrolment"].is_null(), "{row}");
    }
    assert_eq!(payload["createdCount"], 1);
    assert_eq!(payload["failedCount"], 5);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 1);
}

#[tokio::test]
async fn chinese_headers_after_a_utf8_bom_are_read() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let id = ids(2);
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend(
        format!(
            "姓名,证件类型,身份证号,手机号,区\r\n张三丰,居民身份证,{},13800138000,福田区\r\n李四,身份证,{},,龙岗\r\n",
            id[0], id[1]
        )
        .into_bytes(),
    );

    let response = import(&app, Some(&own.admin), &course, file, None).await;

    let payload = payload(&response);
    assert_eq!(payload["createdCount"], 2, "{payload}");
    assert_eq!(at_line(payload, 2)["trainee"]["nameMasked"], "张**");
    assert_eq!(at_line(payload, 2)["trainee"]["district"], "Futian");
    assert_eq!(at_line(payload, 3)["trainee"]["district"], "Longgang");
    // The audit trail names the import, the two enrolments, and the read of the two people.
    assert_eq!(
        app.count("audit_log WHERE action = 'importEnrolments' AND kind = 'WRITE'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'importEnrolments' AND kind = 'READ'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_gbk_file_saved_by_excel_on_chinese_windows_is_read() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let text = format!("姓名,证件号码,区\r\n欧阳娜娜,{},南山\r\n", resident_id());
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the file is not UTF-8");

    let response = import(&app, Some(&own.admin), &course, gbk.into_owned(), None).await;

    let payload = payload(&response);
    assert_eq!(payload["createdCount"], 1, "{payload}");
    assert_eq!(at_line(payload, 2)["trainee"]["nameMasked"], "欧***");
    assert_eq!(at_line(payload, 2)["trainee"]["district"], "Nanshan");
}

#[tokio::test]
async fn a_file_in_neither_utf8_nor_gbk_is_refused_with_how_to_save_it_and_changes_nothing() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let mut file = b"name,idNumber\n".to_vec();
    file.extend(b"\xFF\xFE\xFF,");
    file.extend(resident_id().into_bytes());
    let before = written(&app).await;

    let response = import(&app, Some(&own.admin), &course, file, None).await;

    assert_file_refused(&response, "CSV UTF-8");
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn a_malformed_file_is_refused_naming_the_line_and_changes_nothing() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let before = written(&app).await;
    let cases = [
        (
            format!(
                "name,idNumber,phone\n张三,{},13800138000\n李四,{}\n",
                resident_id(),
                resident_id()
            ),
            "line 3 has 2 fields where the header has 3",
        ),
        (
            format!(
                "name,idNumber\n张三,{}\n\n\"李四,{}\n王五,{}\n",
                resident_id(),
                resident_id(),
                resident_id()
            ),
            "line 4",
        ),
        (
            format!("name,phone\n张三,13800138000\n{}\n", resident_id()),
            "has no idNumber column",
        ),
        (
            format!("name,idNumber,remark\n张三,{},new\n", resident_id()),
            "header column 3 \"remark\"",
        ),
        ("name,idNumber\n".to_owned(), "no data rows"),
    ];

    for (file, needle) in cases {
        let response = import(&app, Some(&own.admin), &course, file, None).await;
        assert_file_refused(&response, needle);
    }
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_on_file_and_one_over_the_body_limit_with_413() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let row = format!("张三,{}\n", resident_id());
    let rows = |bytes: usize| {
        let mut file = "name,idNumber\n".to_owned();
        while file.len() < bytes {
            file.push_str(&row);
        }
        file
    };

    let over_file_limit = import(&app, Some(&own.admin), &course, rows(2 << 20 | 1), None).await;
    let over_body_limit = import(&app, Some(&own.admin), &course, rows(9 << 20), None).await;

    assert_file_refused(&over_file_limit, "larger than 2 MiB");
    assert_eq!(over_body_limit.status, 413);
    assert_eq!(over_body_limit.code(), "BAD_USER_INPUT");
    assert_eq!(app.count("enrolment").await, 0);
}

#[tokio::test]
async fn all_or_nothing_and_dry_run_write_nothing_when_asked_and_apply_valid_writes_the_rest() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app, NewCourse::host()).await;
    let id = ids(3);
    let file = format!(
        "name,idNumber\n张三,{}\n李四,12345\n王五,{}\n",
        id[0], id[1]
    );
    let before = written(&app).await;

    let all_or_nothing = import(
        &app,
        Some(&own.admin),
        &course,
        file.clone(),
        Some("ALL_OR_NOTHING"),
    )
    .await;
    let dry_run = import(
        &app,
        Some(&own.admin),
        &course,
        file.clone(),
        Some("DRY_RUN"),
    )
    .await;
    let unchanged = written(&app).await;
    let apply_valid = import(&app, Some(&own.admin), &course, file, Some("APPLY_VALID")).await;

    let refused = payload(&all_or_nothing);
    assert_eq!(refused["applied"], false);
    assert_eq!(refused["createdCount"], 0);
    assert_eq!(at_line(refused, 3)["error"]["field"], "idNumber");
    let dry = payload(&dry_run);
    assert_eq!(dry["applied"], false);
    assert_eq!(
        dry["createdCount"], 2,
        "a dry run says what would be enrolled"
    );
    assert_eq!(at_line(dry, 4)["created"], true);
    assert_eq!(unchanged, before, "neither wrote anything");
    let applied = payload(&apply_valid);
    assert_eq!(applied["applied"], true);
    assert_eq!(applied["createdCount"], 2);
    assert_eq!(applied["failedCount"], 1);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 2);
}

#[tokio::test]
async fn a_person_listed_twice_in_a_file_is_refused_on_the_later_line_naming_the_first() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;
    let twice = resident_id();
    let file = format!(
        "name,idNumber\n张三,{twice}\n李四,{}\n张三,{twice}\n",
        resident_id()
    );

    let response = import(&app, Some(&own.admin), &course, file, None).await;

    let payload = payload(&response);
    assert_eq!(payload["createdCount"], 2);
    let again = at_line(payload, 4);
    assert_eq!(again["error"]["code"], "CONFLICT", "{again}");
    assert_eq!(again["error"]["field"], "idNumber", "{again}");
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap()
            .contains("row 2"),
        "{again}"
    );
    assert_eq!(app.count("trainee").await, 2);
}

#[tokio::test]
async fn rows_past_the_course_capacity_are_refused_with_capacity_full() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app, NewCourse::host().capacity(2)).await;
    let id = ids(3);
    let file = format!(
        "name,idNumber\n张三,{}\n李四,{}\n王五,{}\n",
        id[0], id[1], id[2]
    );

    let response = import(&app, Some(&own.admin), &course, file, None).await;

    let payload = payload(&response);
    assert_eq!(payload["createdCount"], 2);
    assert_eq!(at_line(payload, 4)["error"]["code"], "CAPACITY_FULL");
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 2);
}

#[tokio::test]
async fn a_cohort_of_500_with_bad_rows_is_fixed_and_re_uploaded_and_everyone_is_enrolled_once() {
    let app = spawn_app().await;
    let (city, own, course) = arrange(&app, NewCourse::host().capacity(500)).await;
    let id = ids(500);
    let bad_lines: Vec<usize> = (0..500).step_by(47).map(|i| i + 2).collect();
    let roster = |fixed: bool| {
        let mut file = "姓名,身份证号,手机号\n".to_owned();
        for (i, number) in id.iter().enumerate() {
            let line = i + 2;
            let number = if !fixed && bad_lines.contains(&line) {
                with_wrong_check(number, "0123456789X")
            } else {
                number.clone()
            };
            let name = ["学员甲", "学员乙", "学员丙", "学员丁"][i % 4];
            file.push_str(&format!("{name},{number},138{i:08}\n"));
        }
        file
    };

    let first = import(&app, Some(&own.admin), &course, roster(false), None).await;
    let second = import(&app, Some(&own.admin), &course, roster(true), None).await;
    let third = import(&app, Some(&own.admin), &course, roster(true), None).await;

    let first = payload(&first);
    assert_eq!(first["failedCount"], bad_lines.len());
    assert_eq!(first["createdCount"], 500 - bad_lines.len());
    let refused: Vec<i64> = results(first)
        .iter()
        .filter(|r| !r["error"].is_null())
        .map(|r| r["index"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = bad_lines.iter().map(|l| *l as i64).collect();
    assert_eq!(refused, expected, "exactly the bad lines are reported");
    assert_eq!(at_line(first, 2)["error"]["field"], "idNumber");
    let second = payload(&second);
    assert_eq!(
        second["createdCount"],
        bad_lines.len(),
        "only the fixed rows are new"
    );
    assert_eq!(second["failedCount"], 0);
    assert_eq!(payload(&third)["createdCount"], 0);
    assert_eq!(enrolled_count(&app, &city.admin, &course).await, 500);
    assert_eq!(app.count("enrolment").await, 500);
    assert_eq!(app.count("trainee").await, 500);
    assert_eq!(
        talent_registry::service::counting::recount::verify(&app.db)
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn only_institution_staff_may_import_into_their_own_courses() {
    let app = spawn_app().await;
    let (city, _own, course) = arrange(&app, NewCourse::host()).await;
    let (_, other_staff) = app.institution_with_admin(&city.admin).await;
    let file = format!("name,idNumber\n张三,{}\n", resident_id());

    let anonymous = import(&app, None, &course, file.clone(), None).await;
    let by_city = import(&app, Some(&city.admin), &course, file.clone(), None).await;
    let other = import(&app, Some(&other_staff), &course, file, None).await;

    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    assert_eq!(by_city.code(), "FORBIDDEN");
    assert!(
        ["FORBIDDEN", "NOT_FOUND"].contains(&other.code()),
        "{}",
        other.body
    );
    assert_eq!(app.count("enrolment").await, 0);
}

#[tokio::test]
async fn a_request_without_a_file_part_is_refused_as_bad_input() {
    let app = spawn_app().await;
    let (_city, own, course) = arrange(&app, NewCourse::host()).await;

    let response = app
        .graphql_as(
            Some(&own.admin),
            IMPORT,
            json!({ "input": { "courseId": course, "file": 0 } }),
        )
        .await;

    assert_eq!(response.code(), "BAD_USER_INPUT", "{}", response.body);
}
