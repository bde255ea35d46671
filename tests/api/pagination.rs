//! Relay pagination of every list: page-size bounds, cursors, `hasNextPage`, `totalCount`.

use std::collections::HashSet;

use serde_json::json;

use crate::support::app::spawn_app;
use crate::support::fixtures::{NewCourse, activate, institution_in, register_id};

const PAGE: &str = "query($first: Int, $after: String) {
  institutions(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }
  }
}";

#[tokio::test]
async fn a_page_size_outside_1_to_100_is_refused_on_first_for_every_list() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    for list in ["institutions", "courses", "trainees"] {
        for first in [0, 101, -1, i32::MIN] {
            let query = format!("query($first: Int) {{ {list}(first: $first) {{ totalCount }} }}");
            let response = app
                .graphql_as(Some(&admin), &query, json!({ "first": first }))
                .await;
            assert_eq!(
                response.code(),
                "BAD_USER_INPUT",
                "{list}(first: {first}): {}",
                response.body
            );
            assert_eq!(response.field(), Some("first"), "{list}(first: {first})");
        }
    }
}

#[tokio::test]
async fn page_sizes_1_and_100_are_accepted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    for first in [1, 100] {
        let response = app
            .graphql_as(Some(&admin), PAGE, json!({ "first": first }))
            .await;
        assert_eq!(
            response.data()["institutions"]["totalCount"],
            0,
            "first {first}"
        );
    }
}

#[tokio::test]
async fn a_cursor_not_issued_by_the_api_is_refused_on_after_for_every_list() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let cases = [
        ("garbage", "not a cursor!"),
        ("empty", ""),
        ("base64 of too few bytes", "AAAA"),
        ("a plain UUID", "0190c6a4-7d5e-7c3b-9f00-000000000000"),
        ("standard base64 padding", "AZDGpH1efDufAAAAAAAAAA=="),
    ];

    for list in ["institutions", "courses", "trainees"] {
        for (why, after) in cases {
            let query =
                format!("query($after: String) {{ {list}(after: $after) {{ totalCount }} }}");
            let response = app
                .graphql_as(Some(&admin), &query, json!({ "after": after }))
                .await;
            assert_eq!(
                response.code(),
                "BAD_USER_INPUT",
                "{list} after {why}: {}",
                response.body
            );
            assert_eq!(response.field(), Some("after"), "{list} after {why}");
        }
    }
}

#[tokio::test]
async fn paging_through_three_institutions_two_at_a_time_sees_each_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut created = HashSet::new();
    for _ in 0..3 {
        created.insert(institution_in(&app, &admin, "Nanshan").await.0);
    }

    let first = app
        .graphql_as(Some(&admin), PAGE, json!({ "first": 2 }))
        .await;
    let first = &first.data()["institutions"];
    let cursor = first["pageInfo"]["endCursor"].as_str().unwrap();
    let second = app
        .graphql_as(Some(&admin), PAGE, json!({ "first": 2, "after": cursor }))
        .await;
    let second = &second.data()["institutions"];
    let end = second["pageInfo"]["endCursor"].as_str().unwrap();
    let past_end = app
        .graphql_as(Some(&admin), PAGE, json!({ "first": 2, "after": end }))
        .await;
    let past_end = &past_end.data()["institutions"];

    assert_eq!(first["edges"].as_array().unwrap().len(), 2);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(second["edges"].as_array().unwrap().len(), 1);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    assert_eq!(past_end["edges"], json!([]));
    assert_eq!(past_end["pageInfo"]["hasNextPage"], false);
    for page in [first, second, past_end] {
        assert_eq!(page["totalCount"], 3, "totalCount counts every page");
    }
    let seen: Vec<String> = [first, second]
        .iter()
        .flat_map(|page| page["edges"].as_array().unwrap())
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);
    assert_eq!(
        first["edges"][1]["cursor"], cursor,
        "endCursor is the last edge's cursor"
    );
}

#[tokio::test]
async fn an_institution_cursor_pages_an_institution_scoped_list_without_leaking() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;
    let other = institution_in(&app, &admin, "Nanshan").await.0;
    let mut courses = HashSet::new();
    for _ in 0..3 {
        courses.insert(
            NewCourse::host()
                .create(&app, &institution_admin, &institution)
                .await,
        );
    }
    let query = "query($after: String) {
      courses(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id institution { id } } } }
    }";

    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let response = app
            .graphql_as(Some(&institution_admin), query, json!({ "after": after }))
            .await;
        let page = &response.data()["courses"];
        assert_eq!(page["totalCount"], 3);
        for edge in page["edges"].as_array().unwrap() {
            assert_ne!(edge["node"]["institution"]["id"], other.as_str());
            assert!(seen.insert(edge["node"]["id"].as_str().unwrap().to_owned()));
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(seen.len() <= 3, "paging does not end");
    }

    assert_eq!(seen, courses);
}

#[tokio::test]
async fn total_count_asked_for_in_a_fragment_or_an_alias_counts_every_page() {
    let app = spawn_app().await;
    let world = app.world().await;
    let academy = world.institution().await;
    for _ in 0..3 {
        academy.trainee().await;
    }

    // A page of one, its count asked for three ways: in a named fragment, in an inline
    // fragment, under an alias; and a page that does not ask for it.
    let response = app
        .graphql_as(
            Some(&academy.admin),
            "{ named: trainees(first: 1) { ...Counted }
               inline: trainees(first: 1) { ... on TraineeConnection { totalCount } }
               aliased: trainees(first: 1) { n: totalCount }
               plain: trainees(first: 1) { edges { node { id } } pageInfo { hasNextPage } } }
             fragment Counted on TraineeConnection { totalCount }",
            json!({}),
        )
        .await;

    let data = response.data();
    assert_eq!(data["named"]["totalCount"], 3, "{}", response.body);
    assert_eq!(data["inline"]["totalCount"], 3, "{}", response.body);
    assert_eq!(data["aliased"]["n"], 3, "{}", response.body);
    assert_eq!(data["plain"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(data["plain"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn an_institutions_trainee_count_is_what_it_owns_and_a_second_institution_narrows_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (first, second) = (world.institution().await, world.institution().await);
    // The first owns three people; the second registered two of them too, and one more.
    let people = ["张一", "李二", "王三"].map(|name| (name, crate::support::ids::resident_id()));
    let mut codes = Vec::new();
    for (name, document) in &people {
        codes.push(register_id(&app, &first.admin, name, document).await.1);
    }
    for (name, document) in &people[..2] {
        second.person(name, document).await;
    }
    second.trainee().await;
    let count = |token: String, filter: serde_json::Value| {
        let app = app.clone();
        async move {
            let response = app
                .graphql_as(
                    Some(&token),
                    "query($f: TraineeFilter) { trainees(first: 1, filter: $f) { totalCount } }",
                    json!({ "f": filter }),
                )
                .await;
            response.data()["trainees"]["totalCount"].as_i64().unwrap()
        }
    };

    assert_eq!(count(first.admin.clone(), json!({})).await, 3);
    assert_eq!(
        count(first.admin.clone(), json!({ "institutionId": first.id })).await,
        3
    );
    assert_eq!(
        count(first.admin.clone(), json!({ "institutionId": second.id })).await,
        2,
        "the people both own"
    );
    assert_eq!(count(second.admin.clone(), json!({})).await, 3);
    assert_eq!(
        count(world.admin.clone(), json!({ "institutionId": first.id })).await,
        3
    );
    let person = activate(&app, &codes[0]).await;
    assert_eq!(
        count(person, json!({ "institutionId": first.id })).await,
        1,
        "a trainee sees themselves alone"
    );
}
