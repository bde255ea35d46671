//! `createCourse` and `courses`.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_institution_admin_opens_a_course_and_sees_it_listed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (institution, institution_admin) = app.institution_with_admin(&admin).await;

    let course = app.create_course(&institution_admin, &institution).await;
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
