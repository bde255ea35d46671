//! `stats`: breakdowns by each dimension, filters, and who sees which rows.

use chrono::{Datelike, Months};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::{self, Institution, NewCourse, World};
use crate::support::flows::{self, certify, enrolled, today};
use crate::support::gql::Gql;
use crate::support::reads::stats;

/// Institution A (Nanshan) runs two HOST level-5 courses and a PROFESSIONAL level-3
/// course; institution B (Futian) a HOST level-2 course. `p1` is certified in both of A's
/// HOST courses, `p2` in A's PROFESSIONAL course, `p3` is enrolled in B's course and `p4`
/// certified there. Nobody appears in two groups of one track, so the distinct counts
/// do not depend on which group a person shared between groups is counted in.
/// Returns (city, A, B).
async fn arrange(app: &TestApp) -> (World, Institution, Institution) {
    let city = app.world().await;
    let (a, b) = (city.institution().await, city.institution_in("福田").await);
    let a_host = a.course(NewCourse::host().level(5)).await;
    let a_host_again = a.course(NewCourse::host().level(5)).await;
    let a_professional = a.course(NewCourse::professional().level(3)).await;
    let b_host = b.course(NewCourse::host().level(2)).await;
    let (p1, p2) = (a.trainee().await, a.trainee().await);
    let (p3, p4) = (b.trainee().await, b.trainee().await);
    certify(app, &a.admin, &p1, &a_host).await;
    certify(app, &a.admin, &p1, &a_host_again).await;
    certify(app, &a.admin, &p2, &a_professional).await;
    enrolled(app, &b.admin, &p3, &b_host).await;
    certify(app, &b.admin, &p4, &b_host).await;
    (city, a, b)
}

/// A stats row with `keys` set and the measures trainees, enrolments, completions and
/// certifiedPersons.
fn row(keys: Value, [trainees, enrolments, completions, certified]: [i64; 4]) -> Value {
    let mut row = json!({
        "track": null, "district": null, "institution": null, "month": null, "level": null,
        "trainees": trainees, "enrolments": enrolments, "completions": completions,
        "certifiedPersons": certified,
    });
    for (key, value) in keys.as_object().unwrap() {
        row[key] = value.clone();
    }
    row
}

/// The rows of a `stats` response in a stable order.
fn sorted(response: &Gql) -> Vec<Value> {
    let mut rows = response.data()["stats"].as_array().unwrap().clone();
    rows.sort_by_key(Value::to_string);
    rows
}

fn sorted_rows(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_key(Value::to_string);
    rows
}

/// Measures of the world's groups: trainees, enrolments, completions, certified persons.
const A_HOST: [i64; 4] = [1, 2, 2, 1];
const A_PROFESSIONAL: [i64; 4] = [1, 1, 1, 1];
const A: [i64; 4] = [2, 3, 3, 2];
const B: [i64; 4] = [2, 2, 1, 1];
const HOST: [i64; 4] = [3, 4, 3, 2];
const TOTAL: [i64; 4] = [4, 5, 4, 3];

#[tokio::test]
async fn each_dimension_groups_the_rows_and_sets_only_its_key() {
    let app = spawn_app().await;
    let (city, nanshan, futian) = arrange(&app).await;
    let month = today().format("%Y-%m").to_string();
    let (a, b) = (json!({ "id": nanshan.id }), json!({ "id": futian.id }));
    let cases = [
        (
            "TRACK",
            vec![
                row(json!({ "track": "HOST" }), HOST),
                row(json!({ "track": "PROFESSIONAL" }), A_PROFESSIONAL),
            ],
        ),
        (
            "DISTRICT",
            vec![
                row(json!({ "district": "Nanshan" }), A),
                row(json!({ "district": "Futian" }), B),
            ],
        ),
        (
            "INSTITUTION",
            vec![
                row(json!({ "institution": a }), A),
                row(json!({ "institution": b }), B),
            ],
        ),
        ("MONTH", vec![row(json!({ "month": month }), TOTAL)]),
        (
            "LEVEL",
            vec![
                row(json!({ "level": 5 }), A_HOST),
                row(json!({ "level": 3 }), A_PROFESSIONAL),
                row(json!({ "level": 2 }), B),
            ],
        ),
    ];

    for (dimension, expected) in cases {
        let response = stats(&app, Some(&city.admin), json!(null), &[dimension]).await;

        assert_eq!(sorted(&response), sorted_rows(expected), "by {dimension}");
    }
}

#[tokio::test]
async fn without_dimensions_stats_is_one_row_of_totals_and_two_dimensions_combine() {
    let app = spawn_app().await;
    let (city, _nanshan, _futian) = arrange(&app).await;

    let totals = stats(&app, Some(&city.admin), json!(null), &[]).await;
    let combined = stats(&app, Some(&city.admin), json!(null), &["DISTRICT", "TRACK"]).await;

    assert_eq!(sorted(&totals), vec![row(json!({}), TOTAL)]);
    assert_eq!(
        sorted(&combined),
        sorted_rows(vec![
            row(json!({ "district": "Nanshan", "track": "HOST" }), A_HOST),
            row(
                json!({ "district": "Nanshan", "track": "PROFESSIONAL" }),
                A_PROFESSIONAL
            ),
            row(json!({ "district": "Futian", "track": "HOST" }), B),
        ])
    );
}

#[tokio::test]
async fn filters_narrow_the_counted_events() {
    let app = spawn_app().await;
    let (city, nanshan, futian) = arrange(&app).await;
    let (a, b) = (json!({ "id": nanshan.id }), json!({ "id": futian.id }));
    let both = || {
        vec![
            row(json!({ "institution": a }), A),
            row(json!({ "institution": b }), B),
        ]
    };
    let today = today();
    let first_of_month = today.with_day(1).unwrap();
    let end_of_month = first_of_month
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap();
    let day = |days| flows::days_from_today(days).to_string();
    let cases = [
        (
            "HOST only",
            json!({ "track": "HOST" }),
            vec![
                row(json!({ "institution": a }), A_HOST),
                row(json!({ "institution": b }), B),
            ],
        ),
        (
            "Futian only",
            json!({ "district": "福田" }),
            vec![row(json!({ "institution": b }), B)],
        ),
        (
            "institution A only",
            json!({ "institutionId": nanshan.id }),
            vec![row(json!({ "institution": a }), A)],
        ),
        (
            "this month",
            json!({ "from": first_of_month, "to": end_of_month }),
            both(),
        ),
        (
            "a few days around today",
            json!({ "from": day(-2), "to": day(2) }),
            both(),
        ),
        ("today only", json!({ "from": today, "to": today }), both()),
        ("from tomorrow", json!({ "from": day(1) }), vec![]),
        ("until yesterday", json!({ "to": day(-1) }), vec![]),
    ];

    for (why, filter, expected) in cases {
        let response = stats(&app, Some(&city.admin), filter, &["INSTITUTION"]).await;

        assert_eq!(sorted(&response), sorted_rows(expected), "{why}");
    }
}

#[tokio::test]
async fn institution_roles_get_only_their_own_institutions_rows() {
    let app = spawn_app().await;
    let (_city, nanshan, futian) = arrange(&app).await;
    let a_staff = app
        .user(&nanshan.admin, "INSTITUTION_STAFF", Some(&nanshan.id))
        .await;
    let own = vec![row(json!({ "institution": { "id": nanshan.id } }), A)];

    for (who, token) in [("admin", &nanshan.admin), ("staff", &a_staff)] {
        let all = stats(&app, Some(token), json!(null), &["INSTITUTION"]).await;
        let asked = stats(
            &app,
            Some(token),
            json!({ "institutionId": nanshan.id }),
            &["INSTITUTION"],
        )
        .await;

        assert_eq!(sorted(&all), own, "{who} without a filter");
        assert_eq!(sorted(&asked), own, "{who} asking for its own");
    }
    let b = stats(&app, Some(&futian.admin), json!(null), &["TRACK"]).await;
    assert_eq!(sorted(&b), vec![row(json!({ "track": "HOST" }), B)]);
}

#[tokio::test]
async fn stats_are_for_city_and_institution_staff_only() {
    let app = spawn_app().await;
    let (city, nanshan, futian) = arrange(&app).await;
    let analyst = app.user(&city.admin, "CITY_ANALYST", None).await;
    let (_, code) = fixtures::register(&app, &nanshan.admin, "赵六").await;
    let trainee = fixtures::activate(&app, &code).await;
    let other = json!({ "institutionId": futian.id });
    let cases = [
        (
            "an institution admin asking for another",
            Some(nanshan.admin.as_str()),
            other,
            "FORBIDDEN",
        ),
        (
            "a trainee",
            Some(trainee.as_str()),
            json!(null),
            "FORBIDDEN",
        ),
        ("anonymous", None, json!(null), "UNAUTHENTICATED"),
    ];

    for (who, token, filter, code) in cases {
        let response = stats(&app, token, filter, &["TRACK"]).await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
    }
    let response = stats(&app, Some(&analyst), json!(null), &["INSTITUTION"]).await;
    assert_eq!(
        sorted(&response).len(),
        2,
        "the analyst sees every institution"
    );
}

#[tokio::test]
async fn courses_without_a_level_group_under_a_null_level() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, staff) = app.institution_with_admin(&admin).await;
    let course = NewCourse::professional()
        .without_level()
        .create(&app, &staff, &institution)
        .await;
    let person = fixtures::trainee(&app, &staff).await;
    certify(&app, &staff, &person, &course).await;
    let around_today = json!({
        "from": flows::days_from_today(-1).to_string(),
        "to": flows::days_from_today(1).to_string(),
    });

    for filter in [json!(null), around_today] {
        let response = stats(&app, Some(&admin), filter.clone(), &["LEVEL"]).await;

        assert_eq!(
            sorted(&response),
            vec![row(json!({}), [1, 1, 1, 1])],
            "{filter}"
        );
    }
}

/// Rows without `institution`, under aliases, in fragments, with `__typename` and a
/// skipped field: the same figures and keys as the full rows (`stats` answers such rows
/// without a resolver per field, and rows with `institution` through the resolvers).
const PLAIN_ROWS: &str = "
query($groupBy: [StatsDimension!]!, $skip: Boolean!) {
  stats(groupBy: $groupBy) {
    kind: __typename track d: district ...Keys
    ... on StatsRow { trainees enrolments }
    completions certifiedPersons trainees
    hidden: level @skip(if: $skip)
  }
}
fragment Keys on StatsRow { month level }";

#[tokio::test]
async fn rows_without_institutions_under_aliases_and_fragments_equal_the_full_rows() {
    let app = spawn_app().await;
    let (city, _nanshan, _futian) = arrange(&app).await;
    let groupings: [&[&str]; 4] = [
        &[],
        &["TRACK"],
        &["DISTRICT", "MONTH"],
        &["TRACK", "DISTRICT", "MONTH", "LEVEL"],
    ];

    for group_by in groupings {
        let full = stats(&app, Some(&city.admin), json!(null), group_by).await;
        let plain = app
            .graphql_as(
                Some(&city.admin),
                PLAIN_ROWS,
                json!({ "groupBy": group_by, "skip": true }),
            )
            .await;

        let expected: Vec<Value> = sorted(&full)
            .into_iter()
            .map(|r| {
                json!({
                    "kind": "StatsRow", "track": r["track"], "d": r["district"],
                    "month": r["month"], "level": r["level"], "trainees": r["trainees"],
                    "enrolments": r["enrolments"], "completions": r["completions"],
                    "certifiedPersons": r["certifiedPersons"],
                })
            })
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(sorted(&plain), sorted_rows(expected), "by {group_by:?}");
    }
}
