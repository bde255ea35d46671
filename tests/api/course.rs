//! `createCourse` (including every input rule) and `courses`.

use serde_json::{Value, json};

use crate::support::app::spawn_app;
use crate::support::fixtures::NewCourse;
use crate::support::gql::CREATE_COURSE;
use crate::support::hostile::with;

#[tokio::test]
async fn an_institution_admin_opens_a_course_and_sees_it_listed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;

    let course = NewCourse::host()
        .create(&app, &institution_admin, &institution)
        .await;
    let listed = app
        .graphql_as(
            Some(&institution_admin),
            "{ courses { totalCount edges { node { id track level hours enrolledCount institution { id } } } } }",
            json!({}),
        )
        .await;

    let node = &listed.data()["courses"]["edges"][0]["node"];
    assert_eq!(node["id"], course.as_str());
    assert_eq!(node["track"], "HOST");
    assert_eq!(node["level"], 5);
    assert_eq!(node["enrolledCount"], 0);
    assert_eq!(node["institution"]["id"], institution.as_str());
}

fn valid_course(institution: &str) -> Value {
    json!({
        "institutionId": institution, "title": "Livestream hosting (level 5)", "track": "HOST",
        "level": 5, "hours": 40, "capacity": 30, "startsOn": "2025-03-01", "endsOn": "2025-03-31",
    })
}

#[tokio::test]
async fn every_invalid_course_input_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let base = valid_course(&institution);

    let cases = vec![
        ("level 0", with(&base, "level", 0), "level"),
        ("level 6", with(&base, "level", 6), "level"),
        ("level -1", with(&base, "level", -1), "level"),
        ("0 hours", with(&base, "hours", 0), "hours"),
        ("-1 hours", with(&base, "hours", -1), "hours"),
        ("10,001 hours", with(&base, "hours", 10_001), "hours"),
        ("capacity 0", with(&base, "capacity", 0), "capacity"),
        ("capacity -5", with(&base, "capacity", -5), "capacity"),
        (
            "capacity 100,001",
            with(&base, "capacity", 100_001),
            "capacity",
        ),
        (
            "ends the day before it starts",
            with(&base, "endsOn", "2025-02-28"),
            "endsOn",
        ),
        ("empty title", with(&base, "title", ""), "title"),
        ("blank title", with(&base, "title", "   "), "title"),
        (
            "title of 201 characters",
            with(&base, "title", "课".repeat(201)),
            "title",
        ),
        (
            "title with a control character",
            with(&base, "title", "Hosting\u{1b}[31m"),
            "title",
        ),
        (
            "malformed institution id",
            with(&base, "institutionId", "42"),
            "institutionId",
        ),
    ];

    app.assert_refused(&institution_admin, CREATE_COURSE, "course", cases)
        .await;
}

#[tokio::test]
async fn levels_1_to_5_and_open_level_capacity_and_dates_are_accepted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let base = valid_course(&institution);
    let mut cases: Vec<(String, Value)> = (1..=5)
        .map(|level| (format!("level {level}"), with(&base, "level", level)))
        .collect();
    let open = with(&with(&base, "startsOn", Value::Null), "endsOn", Value::Null);
    cases.extend([
        ("no level".to_owned(), with(&base, "level", Value::Null)),
        (
            "unlimited capacity".to_owned(),
            with(&base, "capacity", Value::Null),
        ),
        (
            "a one-day course".to_owned(),
            with(&base, "endsOn", "2025-03-01"),
        ),
        ("no dates".to_owned(), open),
        (
            "1 hour and 1 seat".to_owned(),
            with(&with(&base, "hours", 1), "capacity", 1),
        ),
    ]);

    for (why, input) in &cases {
        let response = app
            .graphql_as(
                Some(&institution_admin),
                CREATE_COURSE,
                json!({ "input": input }),
            )
            .await;
        assert!(
            response.body.get("errors").is_none(),
            "{why}: {}",
            response.body
        );
        let course = &response.body["data"]["createCourse"];
        for field in ["level", "hours", "capacity", "startsOn", "endsOn", "title"] {
            assert_eq!(course[field], input[field], "{why}: {field} read back");
        }
    }
    assert_eq!(app.count("course").await, cases.len() as i64);
}
