//! The read side of the permission table: which role may list what, and which rows it sees.

use serde_json::json;

use crate::support::app::spawn_app;
use crate::support::reads::node_ids;
use crate::support::roles::{Caller, Roles};

/// What a read should give: exactly these rows, or an error code.
#[derive(Debug)]
enum Expect {
    Rows(Vec<String>),
    Code(&'static str),
}

fn rows(ids: &[&String]) -> Expect {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).clone()).collect();
    ids.sort();
    Expect::Rows(ids)
}

#[tokio::test]
async fn each_role_lists_exactly_the_rows_the_permission_table_allows() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let programmes: Vec<String> = app
        .graphql_as(Some(&w.admin), "{ programmes { id } }", json!({}))
        .await
        .data()["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let all_programmes: Vec<&String> = programmes.iter().collect();
    let (own, other) = (&w.institution, &w.other_institution);
    let (course, other_course) = (&w.course, &w.other_course);
    let (trainee, other_trainee) = (&w.trainee, &w.other_trainee);
    use Caller::*;
    use Expect::Code;
    let cases = [
        (Anonymous, "programmes", Code("UNAUTHENTICATED")),
        (CityAdmin, "programmes", rows(&all_programmes)),
        (CityAnalyst, "programmes", rows(&all_programmes)),
        (InstitutionAdmin, "programmes", rows(&all_programmes)),
        (InstitutionStaff, "programmes", rows(&all_programmes)),
        (Trainee, "programmes", Code("FORBIDDEN")),
        (Anonymous, "institutions", Code("UNAUTHENTICATED")),
        (CityAdmin, "institutions", rows(&[own, other])),
        (CityAnalyst, "institutions", rows(&[own, other])),
        (InstitutionAdmin, "institutions", rows(&[own])),
        (InstitutionStaff, "institutions", rows(&[own])),
        (OtherInstitutionAdmin, "institutions", rows(&[other])),
        (Trainee, "institutions", Code("FORBIDDEN")),
        (Anonymous, "courses", Code("UNAUTHENTICATED")),
        (CityAdmin, "courses", rows(&[course, other_course])),
        (CityAnalyst, "courses", rows(&[course, other_course])),
        (InstitutionAdmin, "courses", rows(&[course])),
        (InstitutionStaff, "courses", rows(&[course])),
        (OtherInstitutionAdmin, "courses", rows(&[other_course])),
        (Trainee, "courses", Code("FORBIDDEN")),
        (Anonymous, "trainees", Code("UNAUTHENTICATED")),
        (CityAdmin, "trainees", rows(&[trainee, other_trainee])),
        (CityAnalyst, "trainees", Code("FORBIDDEN")),
        (InstitutionAdmin, "trainees", rows(&[trainee])),
        (InstitutionStaff, "trainees", rows(&[trainee])),
        (OtherInstitutionAdmin, "trainees", rows(&[other_trainee])),
        (Trainee, "trainees", rows(&[trainee])),
    ];

    for (caller, field, expected) in cases {
        let query = if field == "programmes" {
            "{ programmes { id } }".to_owned()
        } else {
            format!("{{ {field} {{ totalCount edges {{ node {{ id }} }} }} }}")
        };
        let response = app.graphql_as(w.token(caller), &query, json!({})).await;
        let body = &response.body;
        match expected {
            Expect::Code(code) => {
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], code,
                    "{caller:?} reading {field}: {body}"
                );
                assert!(
                    body["data"].is_null() || body["data"][field].is_null(),
                    "{caller:?} reading {field} got data: {body}"
                );
            }
            Expect::Rows(ids) => {
                assert!(
                    body.get("errors").is_none(),
                    "{caller:?} reading {field}: {body}"
                );
                let got = if field == "programmes" {
                    let mut got: Vec<String> = body["data"]["programmes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p["id"].as_str().unwrap().to_owned())
                        .collect();
                    got.sort();
                    got
                } else {
                    assert_eq!(
                        body["data"][field]["totalCount"],
                        ids.len(),
                        "{caller:?}: totalCount of {field}"
                    );
                    node_ids(&body["data"][field])
                };
                assert_eq!(got, ids, "{caller:?} reading {field}");
            }
        }
    }
}

#[tokio::test]
async fn a_filter_never_widens_what_an_institution_sees() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let other = &w.other_institution;

    let courses = app
        .graphql_as(
            Some(&w.staff),
            "query($id: ID!) { courses(filter: { institutionId: $id }) { totalCount } }",
            json!({ "id": other }),
        )
        .await;
    let trainees = app
        .graphql_as(
            Some(&w.staff),
            "query($id: ID!) { trainees(filter: { institutionId: $id }) { totalCount } }",
            json!({ "id": other }),
        )
        .await;

    assert_eq!(
        courses.data()["courses"]["totalCount"],
        0,
        "another institution's courses leak through the filter"
    );
    assert_eq!(
        trainees.data()["trainees"]["totalCount"],
        0,
        "another institution's trainees leak through the filter"
    );
}

#[tokio::test]
async fn a_trainee_sees_itself_as_me_and_only_itself_in_trainees() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;

    let me = app
        .graphql_as(
            Some(&w.trainee_token),
            "{ me { role institution { id } } }",
            json!({}),
        )
        .await;
    let seen = app.ids(&w.trainee_token, "trainees").await;

    assert_eq!(me.data()["me"]["role"], "TRAINEE");
    assert!(me.data()["me"]["institution"].is_null());
    assert_eq!(seen, vec![w.trainee.clone()]);
}
