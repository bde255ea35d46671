//! Hostile callers, table-driven: expired, logged-out and forged tokens, and every role
//! reaching into another institution's trainees, courses, enrolments and certificates.
//! Each is refused with its code, never a 5xx, and changes no row.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use talent_registry::entity::session;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::register;
use crate::support::flows::{COMPLETE, ENROL, REVOKE, WITHDRAW, certify, enrolled};
use crate::support::gql::{CREATE_COURSE, Gql, REGISTER};
use crate::support::hostile::{Case, assert_each_refused, course, input, person, snapshot};
use crate::support::roles::{Caller, Roles};

/// A token that is no (longer a) session, made one way or another.
async fn dead_tokens(app: &TestApp, w: &Roles) -> Vec<(&'static str, String)> {
    let expired = app.user(
        &w.institution_admin,
        "INSTITUTION_STAFF",
        Some(&w.institution),
    );
    let expired = expired.await;
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            (chrono::Utc::now() - chrono::Duration::seconds(1)).into(),
        )
        .filter(session::Column::TokenHash.eq(talent_registry::auth::secret_digest(&expired)))
        .exec(&app.db)
        .await
        .unwrap();
    let revoked = app
        .user(
            &w.institution_admin,
            "INSTITUTION_STAFF",
            Some(&w.institution),
        )
        .await;
    app.graphql_as(Some(&revoked), "mutation { logout }", json!({}))
        .await
        .data();
    let forged = talent_registry::auth::new_secret();
    vec![
        ("expired", expired),
        ("logged out", revoked),
        ("random", forged),
        ("a real token with one character changed", {
            let mut token = w.staff.clone();
            let last = if token.ends_with('A') { "B" } else { "A" };
            token.replace_range(token.len() - 1.., last);
            token
        }),
        // Far longer headers are refused by hyper itself (431, no GraphQL body).
        ("16 KiB long", "t".repeat(16 * 1024)),
        ("non-ASCII", "令牌🙂".to_owned()),
    ]
}

#[tokio::test]
async fn expired_revoked_and_forged_tokens_read_nothing_and_write_nothing() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let enrolment = enrolled(&app, &w.staff, &w.trainee, &w.course).await;
    let (fresh, _) = register(&app, &w.staff, "张三").await;

    for (why, token) in dead_tokens(&app, &w).await {
        let before = snapshot(&app).await;
        let me = app
            .graphql_as(Some(&token), "{ me { id } }", json!({}))
            .await;
        let calls: [(&str, Gql); 4] = [
            (
                "trainees",
                app.graphql_as(Some(&token), "{ trainees { totalCount } }", json!({}))
                    .await,
            ),
            (
                "registerTrainee",
                app.graphql_as(Some(&token), REGISTER, person("张三")).await,
            ),
            (
                "enrol",
                app.graphql_as(
                    Some(&token),
                    ENROL,
                    input(json!({ "traineeId": fresh, "courseId": w.course })),
                )
                .await,
            ),
            (
                "withdrawEnrolment",
                app.graphql_as(
                    Some(&token),
                    WITHDRAW,
                    input(json!({ "enrolmentId": enrolment })),
                )
                .await,
            ),
        ];

        assert!(me.status < 500, "{why}: {}", me.status);
        assert!(me.data()["me"].is_null(), "{why} token is a session");
        for (what, response) in calls {
            assert!(response.status < 500, "{why} {what}: {}", response.status);
            assert_eq!(response.code(), "UNAUTHENTICATED", "{why} {what}");
        }
        assert_eq!(snapshot(&app).await, before, "{why} token wrote");
    }
}

#[tokio::test]
async fn no_role_reads_or_writes_another_institutions_trainees_courses_or_certificates() {
    let app = spawn_app().await;
    let w = Roles::build(&app).await;
    let other_enrolment = enrolled(&app, &w.other_admin, &w.other_trainee, &w.other_course).await;
    let (other_certified, _) = register(&app, &w.other_admin, "张三").await;
    let number = certify(&app, &w.other_admin, &other_certified, &w.other_course).await;
    let other = w.other_institution.as_str();
    use Caller::*;

    let mut cases = Vec::new();
    // Institution roles are answered as for an unknown id (`tenancy` compares the two);
    // other roles are refused by role before any lookup.
    for (caller, write) in [
        (Anonymous, "UNAUTHENTICATED"),
        (CityAdmin, "FORBIDDEN"),
        (CityAnalyst, "FORBIDDEN"),
        (InstitutionAdmin, "NOT_FOUND"),
        (InstitutionStaff, "NOT_FOUND"),
        (Trainee, "FORBIDDEN"),
    ] {
        let own_trainee = json!({ "traineeId": w.trainee, "courseId": w.other_course });
        let complete = json!({ "enrolmentId": other_enrolment, "passed": true, "score": 90 });
        let withdraw = json!({ "enrolmentId": other_enrolment, "reason": "poached" });
        let cross = [
            ("enrol in another's course", ENROL, own_trainee),
            ("complete another's enrolment", COMPLETE, complete),
            ("withdraw another's enrolment", WITHDRAW, withdraw),
        ];
        for (why, query, variables) in cross {
            cases.push(Case::new(caller, why, query, input(variables)).code(write));
        }
        // Opening a course is a matter of authority over an institution, not of a row's
        // existence: FORBIDDEN for every signed-in role.
        let open = if caller == Anonymous {
            write
        } else {
            "FORBIDDEN"
        };
        let other_course = course(other, "Hosting", json!(8));
        cases.push(
            Case::new(
                caller,
                "open a course for another",
                CREATE_COURSE,
                other_course,
            )
            .code(open),
        );
        if caller != CityAdmin {
            // Staff may revoke nothing: refused by role.
            let revoking = if caller == InstitutionStaff {
                "FORBIDDEN"
            } else {
                write
            };
            let revoke = input(json!({ "number": number, "reason": "hostile" }));
            cases.push(
                Case::new(caller, "revoke another's certificate", REVOKE, revoke).code(revoking),
            );
        }
    }
    let trainees = "{ trainees { totalCount } }";
    cases.push(Case::new(CityAnalyst, "trainees", trainees, json!({})).code("FORBIDDEN"));

    assert_each_refused(&app, &w, cases).await;
    // A filter on another institution never widens an institution's view: it reads
    // nothing (or is refused).
    for caller in [InstitutionAdmin, InstitutionStaff] {
        for query in [
            "{ trainees(filter: { institutionId: \"%\" }) { totalCount } }",
            "{ courses(filter: { institutionId: \"%\" }) { totalCount } }",
            "{ stats(filter: { institutionId: \"%\" }, groupBy: [INSTITUTION]) { trainees } }",
        ] {
            let query = query.replace('%', other);
            let response = app.graphql_as(w.token(caller), &query, json!({})).await;
            let seen = response.body["data"].to_string();
            assert!(response.status < 500, "{caller:?} {query}");
            assert!(
                response.body.get("errors").is_some()
                    || seen.contains("\"totalCount\":0")
                    || seen.contains("\"stats\":[]"),
                "{caller:?} sees another institution: {query} -> {}",
                response.body
            );
        }
    }
}
