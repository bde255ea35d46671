//! National credentials (DESIGN.md §2.4): `recordSkillCertificate`, its number rule and
//! permissions, the kinds kept apart, verification by national number, and counting by
//! `countedKinds`, one person once per track.

use serde_json::{Value, json};

use crate::goals::assert_counts_exact;
use crate::support::app::spawn_app;
use crate::support::credentials::{
    national_number, programme_counting, record_skill, recorded, skill,
};
use crate::support::fixtures::{NewCourse, World};
use crate::support::flows::{certify, days_from_today, enrol, today};
use crate::support::reads::counts;

#[tokio::test]
async fn an_evaluator_records_a_skill_certificate_kept_apart_from_completion_certificates() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let staff = evaluator.staff().await;
    let trainee = evaluator
        .person("李小龙", &crate::support::ids::resident_id())
        .await;
    let issued = days_from_today(-20);
    let input = skill(&trainee, "LIVESTREAM_SELLER", 4, issued);
    let number = input["nationalNumber"].as_str().unwrap().to_owned();

    let cert = recorded(&app, &staff, input).await;

    assert_eq!(cert["kind"], "SKILL_LEVEL");
    assert_eq!(cert["occupationCode"], "4-01-02-07");
    assert_eq!(cert["subtype"], "LIVESTREAM_SELLER");
    assert_eq!(cert["nationalNumber"], number.as_str());
    assert_eq!(
        cert["number"],
        number.as_str(),
        "the national number is its number"
    );
    assert_eq!(cert["level"], 4);
    assert_eq!(cert["track"], "HOST", "a seller counts on HOST");
    assert_eq!(cert["issuedOn"], issued.to_string());
    assert_eq!(cert["status"], "VALID");
    assert_eq!(cert["institution"]["id"], evaluator.id.as_str());
    assert_eq!(cert["course"]["assessment"], true);
    assert_eq!(cert["course"]["meetsStandardHours"], Value::Null);
    let audited = app
        .count("audit_log WHERE action = 'recordSkillCertificate' AND record_type = 'certificate'")
        .await;
    assert_eq!(audited, 1, "the write is audited");

    let completion = evaluator.certified(&trainee).await;
    let listed = app
        .graphql_as(
            Some(&evaluator.admin),
            "query($id: ID!) { certificates(first: 10, filter: { institutionId: $id }) { edges { node { number kind subtype nationalNumber } } } }",
            json!({ "id": evaluator.id }),
        )
        .await;
    let kinds: Vec<(String, String)> = listed.data()["certificates"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["number"].as_str().unwrap().to_owned(),
                e["node"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&(number.clone(), "SKILL_LEVEL".to_owned())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(completion, "TRAINING_COMPLETION".to_owned())),
        "{kinds:?}"
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn verification_accepts_a_national_number_and_shows_kind_sub_type_and_level() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator
        .person("王小明", &crate::support::ids::resident_id())
        .await;
    let mut input = skill(&trainee, "VIDEO_PROMOTER", 3, days_from_today(-3));
    input["kind"] = json!("SPECIAL_ABILITY");
    let number = input["nationalNumber"].as_str().unwrap().to_owned();
    recorded(&app, &evaluator.admin, input).await;

    let query = "query($number: String!, $holderName: String!) { verifyCertificate(number: $number, holderName: $holderName) { valid kind subtype level track holderNameMasked } }";
    let verify = |number: String, name: &'static str| {
        let app = app.clone();
        let query = query.to_owned();
        async move {
            app.graphql(&query, json!({ "number": number, "holderName": name }))
                .await
        }
    };
    let answer = verify(number.to_ascii_lowercase(), "王小明").await;
    let found = &answer.data()["verifyCertificate"];
    assert_eq!(found["valid"], true, "{}", answer.body);
    assert_eq!(found["kind"], "SPECIAL_ABILITY");
    assert_eq!(found["subtype"], "VIDEO_PROMOTER");
    assert_eq!(found["level"], 3);
    assert_eq!(found["track"], "PROFESSIONAL");
    assert_eq!(found["holderNameMasked"], "王**");

    let wrong = verify(number, "王大明").await;
    assert_eq!(wrong.data()["verifyCertificate"]["valid"], false);
    assert_eq!(wrong.data()["verifyCertificate"]["kind"], Value::Null);
}

#[tokio::test]
async fn a_wrong_national_number_level_kind_or_day_is_refused_on_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    let issued = days_from_today(-10);
    let good = national_number('Y', issued, 4);
    let other_year = issued.checked_sub_months(chrono::Months::new(12)).unwrap();
    let base = skill(&trainee, "PRODUCT_SELECTOR", 4, issued);
    let with = |field: &str, value: Value| {
        let mut input = base.clone();
        input[field] = value;
        input
    };
    let cases = [
        (
            "21 characters",
            with("nationalNumber", json!(&good[..21])),
            "nationalNumber",
        ),
        (
            "23 characters",
            with("nationalNumber", json!(format!("{good}1"))),
            "nationalNumber",
        ),
        (
            "letter X",
            with("nationalNumber", json!(format!("X{}", &good[1..]))),
            "nationalNumber",
        ),
        (
            "a letter among the digits",
            with("nationalNumber", json!(format!("{}A", &good[..21]))),
            "nationalNumber",
        ),
        (
            "another year",
            with("nationalNumber", json!(national_number('Y', other_year, 4))),
            "nationalNumber",
        ),
        (
            "another level digit",
            with("nationalNumber", json!(national_number('Y', issued, 5))),
            "nationalNumber",
        ),
        ("level 6", with("level", json!(6)), "level"),
        (
            "issued tomorrow",
            with("issuedOn", json!(days_from_today(1).to_string())),
            "issuedOn",
        ),
        (
            "issued in 2019",
            with("issuedOn", json!("2019-12-31")),
            "issuedOn",
        ),
        (
            "a completion certificate",
            with("kind", json!("TRAINING_COMPLETION")),
            "kind",
        ),
        (
            "an unknown trainee id",
            with("traineeId", json!("not-an-id")),
            "traineeId",
        ),
    ];
    let before = app.count("certificate").await;
    for (what, input, field) in cases {
        let response = record_skill(&app, &evaluator.admin, input).await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{what}: {}",
            response.body
        );
        assert_eq!(response.field(), Some(field), "{what}");
    }
    let mut platform = skill(&trainee, "PLATFORM_MANAGER", 2, issued);
    platform["level"] = json!(2);
    let response = record_skill(&app, &evaluator.admin, platform).await;
    assert_eq!(
        response.code(),
        "BAD_USER_INPUT",
        "平台管理员 has no level 2"
    );
    assert_eq!(response.field(), Some("level"));
    assert_eq!(
        app.count("certificate").await,
        before,
        "nothing was written"
    );
    assert_eq!(app.count("course WHERE assessment").await, 0);
}

#[tokio::test]
async fn a_national_number_recorded_twice_even_at_once_is_a_conflict_on_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let (first, second) = (evaluator.trainee().await, evaluator.trainee().await);
    let issued = days_from_today(-5);
    let number = national_number('S', issued, 5);
    let input = |trainee: &str| {
        let mut input = skill(trainee, "LIVESTREAM_SELLER", 5, issued);
        input["nationalNumber"] = json!(number);
        input
    };

    let (a, b) = tokio::join!(
        record_skill(&app, &evaluator.admin, input(&first)),
        record_skill(&app, &world.admin, {
            let mut i = input(&second);
            i["institutionId"] = json!(evaluator.id);
            i
        }),
    );
    let outcomes = [
        a.body.get("errors").is_none(),
        b.body.get("errors").is_none(),
    ];
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        1,
        "{} / {}",
        a.body,
        b.body
    );
    let refused = if outcomes[0] { &b } else { &a };
    assert_eq!(refused.code(), "CONFLICT");
    assert_eq!(refused.field(), Some("nationalNumber"));

    let again = record_skill(&app, &evaluator.admin, input(&first)).await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(again.field(), Some("nationalNumber"));
    assert_eq!(app.count("certificate").await, 1);
    assert_eq!(
        app.count("enrolment").await,
        1,
        "the refused ones left no assessment"
    );
    assert_counts_exact(&app).await;
}

/// Who calls, as whom, with what, and the code and field of the refusal.
type Refusal<'a> = (&'a str, Option<&'a str>, Value, &'a str, Option<&'a str>);

#[tokio::test]
async fn only_an_evaluator_for_its_own_trainees_or_the_city_admin_naming_one_may_record() {
    let app = spawn_app().await;
    let world: World = app.world().await;
    let evaluator = world.evaluator().await;
    let evaluator_staff = evaluator.staff().await;
    let own = evaluator.trainee().await;
    let plain = world.institution().await;
    let plains = plain.trainee().await;
    let analyst = world.user("CITY_ANALYST", None).await;
    let issued = days_from_today(-1);
    let input = |trainee: &str| skill(trainee, "PRODUCT_SELECTOR", 5, issued);
    let naming = |trainee: &str, institution: &str| {
        let mut i = input(trainee);
        i["institutionId"] = json!(institution);
        i
    };
    let cases: Vec<Refusal> = vec![
        ("anonymous", None, input(&own), "UNAUTHENTICATED", None),
        ("an analyst", Some(&analyst), input(&own), "FORBIDDEN", None),
        (
            "a non-evaluator's admin",
            Some(&plain.admin),
            input(&plains),
            "FORBIDDEN",
            None,
        ),
        (
            "an evaluator on another's trainee",
            Some(&evaluator_staff),
            input(&plains),
            "NOT_FOUND",
            None,
        ),
        (
            "an evaluator naming another",
            Some(&evaluator.admin),
            naming(&own, &plain.id),
            "NOT_FOUND",
            None,
        ),
        (
            "the city naming none",
            Some(&world.admin),
            input(&own),
            "BAD_USER_INPUT",
            Some("institutionId"),
        ),
        (
            "the city naming a non-evaluator",
            Some(&world.admin),
            naming(&own, &plain.id),
            "BAD_USER_INPUT",
            Some("institutionId"),
        ),
    ];
    for (who, token, input, code, field) in cases {
        let response = app
            .graphql_as(
                token,
                crate::support::credentials::RECORD_SKILL,
                json!({ "input": input }),
            )
            .await;
        assert_eq!(response.code(), code, "{who}: {}", response.body);
        assert_eq!(response.field(), field, "{who}");
    }
    let trainee_token = crate::support::fixtures::trainee_account(&app, &evaluator.admin).await;
    let response = record_skill(&app, &trainee_token.1, input(&trainee_token.0)).await;
    assert_eq!(response.code(), "FORBIDDEN", "a trainee");
    assert_eq!(app.count("certificate").await, 0);

    recorded(&app, &evaluator_staff, input(&own)).await;
    recorded(&app, &world.admin, naming(&plains, &evaluator.id)).await;
    assert_eq!(app.count("certificate WHERE kind = 'SKILL_LEVEL'").await, 2);
}

#[tokio::test]
async fn a_person_certified_by_completion_then_by_skill_on_one_track_counts_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 10).await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    let course = evaluator.course(NewCourse::host()).await;
    certify(&app, &evaluator.admin, &trainee, &course).await;
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (1, 0));

    recorded(
        &app,
        &evaluator.admin,
        skill(&trainee, "LIVESTREAM_SELLER", 5, today()),
    )
    .await;
    assert_eq!(
        counts(&app, &world.admin, &programme, "HOST").await,
        (1, 0),
        "once per track"
    );
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (0, 0)
    );

    recorded(
        &app,
        &evaluator.admin,
        skill(&trainee, "VIDEO_PROMOTER", 5, today()),
    )
    .await;
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (1, 0),
        "a video promoter counts on PROFESSIONAL"
    );
    let persons = app
        .graphql_as(
            Some(&world.admin),
            "query($p: ID) { programmeProgress(programmeId: $p) { certifiedPersons certifiedOnBothTracks } }",
            json!({ "p": programme }),
        )
        .await;
    assert_eq!(persons.data()["programmeProgress"]["certifiedPersons"], 1);
    assert_eq!(
        persons.data()["programmeProgress"]["certifiedOnBothTracks"],
        1
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn a_programme_counts_only_the_kinds_it_names() {
    let app = spawn_app().await;
    let world = app.world().await;
    let default = world.programme(10, 10).await;
    let skill_only = programme_counting(&app, &world.admin, &["SKILL_LEVEL"]).await;
    let special = programme_counting(&app, &world.admin, &["SPECIAL_ABILITY"]).await;
    let evaluator = world.evaluator().await;
    let course = evaluator.course(NewCourse::host()).await;
    let (completed, skilled, both, ability) = (
        evaluator.trainee().await,
        evaluator.trainee().await,
        evaluator.trainee().await,
        evaluator.trainee().await,
    );
    certify(&app, &evaluator.admin, &completed, &course).await;
    certify(&app, &evaluator.admin, &both, &course).await;
    for person in [&skilled, &both] {
        recorded(
            &app,
            &evaluator.admin,
            skill(person, "LIVESTREAM_SELLER", 4, days_from_today(-2)),
        )
        .await;
    }
    let mut special_input = skill(&ability, "LIVESTREAM_SELLER", 5, days_from_today(-2));
    special_input["kind"] = json!("SPECIAL_ABILITY");
    recorded(&app, &evaluator.admin, special_input).await;
    // In training again: counted as in training where no certificate of theirs counts.
    let later = evaluator.course(NewCourse::host()).await;
    enrol(&app, Some(&evaluator.admin), &skilled, &later).await;
    enrol(&app, Some(&evaluator.admin), &completed, &later).await;

    assert_eq!(counts(&app, &world.admin, &default, "HOST").await, (3, 0));
    assert_eq!(
        counts(&app, &world.admin, &skill_only, "HOST").await,
        (2, 1)
    );
    assert_eq!(counts(&app, &world.admin, &special, "HOST").await, (1, 2));
    let listed = app
        .graphql_as(
            Some(&world.admin),
            "query($p: ID) { programmeProgress(programmeId: $p) { certifiedPersons } }",
            json!({ "p": skill_only }),
        )
        .await;
    assert_eq!(listed.data()["programmeProgress"]["certifiedPersons"], 2);
    let own_share = counts(&app, &evaluator.admin, &skill_only, "HOST").await;
    assert_eq!(
        own_share,
        (2, 1),
        "the institution's share counts by kind too"
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn revoking_a_skill_certificate_by_its_national_number_uncounts_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 10).await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    let input = skill(&trainee, "PRODUCT_SELECTOR", 3, days_from_today(-7));
    let number = input["nationalNumber"].as_str().unwrap().to_owned();
    recorded(&app, &evaluator.admin, input).await;
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (1, 0)
    );

    let revoked =
        crate::support::flows::revoke(&app, Some(&evaluator.admin), &number, "recorded in error")
            .await;
    assert_eq!(revoked.data()["revokeCertificate"]["status"], "REVOKED");
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (0, 0)
    );
    // The corrected certificate is recorded again with its right number.
    recorded(
        &app,
        &evaluator.admin,
        skill(&trainee, "PRODUCT_SELECTOR", 3, days_from_today(-7)),
    )
    .await;
    assert_eq!(
        counts(&app, &world.admin, &programme, "PROFESSIONAL").await,
        (1, 0)
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn courses_name_a_sub_type_and_say_whether_they_meet_the_standard_hours() {
    let app = spawn_app().await;
    let world = app.world().await;
    let institution = world.institution().await;
    let create = |track: &str, level: Option<i32>, hours: i32, subtype: Option<&str>| {
        json!({ "input": {
            "institutionId": institution.id, "title": "互联网营销师", "track": track,
            "level": level, "hours": hours, "subtype": subtype,
        }})
    };
    let query = "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id subtype meetsStandardHours } }";
    let cases = [
        (
            create("HOST", Some(5), 120, Some("LIVESTREAM_SELLER")),
            json!(true),
        ),
        (
            create("HOST", Some(5), 119, Some("LIVESTREAM_SELLER")),
            json!(false),
        ),
        (
            create("PROFESSIONAL", Some(4), 104, Some("PRODUCT_SELECTOR")),
            json!(true),
        ),
        (
            create("PROFESSIONAL", Some(3), 87, Some("PLATFORM_MANAGER")),
            json!(false),
        ),
        (
            create("PROFESSIONAL", Some(1), 72, Some("VIDEO_PROMOTER")),
            json!(true),
        ),
        (
            create("PROFESSIONAL", Some(2), 71, Some("VIDEO_PROMOTER")),
            json!(false),
        ),
        (
            create("PROFESSIONAL", None, 200, Some("VIDEO_PROMOTER")),
            Value::Null,
        ),
        (create("HOST", Some(5), 200, None), Value::Null),
    ];
    for (input, meets) in cases {
        let response = app
            .graphql_as(Some(&institution.admin), query, input.clone())
            .await;
        assert_eq!(
            response.data()["createCourse"]["meetsStandardHours"],
            meets,
            "{input}"
        );
    }
    let refused = [
        create("PROFESSIONAL", Some(5), 120, Some("LIVESTREAM_SELLER")),
        create("HOST", Some(5), 120, Some("VIDEO_PROMOTER")),
        create("PROFESSIONAL", Some(2), 120, Some("PLATFORM_MANAGER")),
    ];
    for input in refused {
        let response = app
            .graphql_as(Some(&institution.admin), query, input.clone())
            .await;
        assert_eq!(response.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(response.field(), Some("subtype"), "{input}");
    }
    let course = institution.course(NewCourse::host().level(4)).await;
    let update = "mutation($input: UpdateCourseInput!) { updateCourse(input: $input) { subtype meetsStandardHours } }";
    let set = app
        .graphql_as(
            Some(&institution.admin),
            update,
            json!({ "input": { "courseId": course, "subtype": "LIVESTREAM_SELLER", "hours": 104 } }),
        )
        .await;
    assert_eq!(set.data()["updateCourse"]["subtype"], "LIVESTREAM_SELLER");
    assert_eq!(set.data()["updateCourse"]["meetsStandardHours"], true);
    let cleared = app
        .graphql_as(
            Some(&institution.admin),
            update,
            json!({ "input": { "courseId": course, "subtype": null } }),
        )
        .await;
    assert_eq!(cleared.data()["updateCourse"]["subtype"], Value::Null);
}

#[tokio::test]
async fn the_assessment_behind_a_skill_certificate_is_not_listed_and_takes_no_enrolment() {
    let app = spawn_app().await;
    let world = app.world().await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    let cert = recorded(
        &app,
        &evaluator.admin,
        skill(&trainee, "LIVESTREAM_SELLER", 5, today()),
    )
    .await;
    let assessment = cert["course"]["id"].as_str().unwrap().to_owned();

    let listed = app.ids(&evaluator.admin, "courses").await;
    assert!(
        !listed.contains(&assessment),
        "assessments are not courses to enrol in"
    );
    let other = evaluator.trainee().await;
    let response = enrol(&app, Some(&evaluator.admin), &other, &assessment).await;
    assert_eq!(response.code(), "CONFLICT", "{}", response.body);
    assert_eq!(response.field(), Some("courseId"));
}

#[tokio::test]
async fn concurrent_skill_and_completion_certificates_of_the_same_people_keep_counts_exact() {
    let app = spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 10).await;
    let skill_only = programme_counting(&app, &world.admin, &["SKILL_LEVEL"]).await;
    let evaluator = world.evaluator().await;
    let course = evaluator.course(NewCourse::host()).await;
    let mut people = Vec::new();
    for _ in 0..6 {
        people.push(evaluator.trainee().await);
    }
    let writes = people.iter().flat_map(|person| {
        let app = app.clone();
        let admin = evaluator.admin.clone();
        let course = course.clone();
        let person = person.clone();
        let (app2, admin2, person2) = (app.clone(), admin.clone(), person.clone());
        [
            tokio::spawn(async move {
                record_skill(
                    &app,
                    &admin,
                    skill(&person, "LIVESTREAM_SELLER", 5, today()),
                )
                .await;
            }),
            tokio::spawn(async move {
                certify(&app2, &admin2, &person2, &course).await;
            }),
        ]
    });
    for write in writes.collect::<Vec<_>>() {
        write.await.unwrap();
    }
    assert_eq!(counts(&app, &world.admin, &programme, "HOST").await, (6, 0));
    assert_eq!(
        counts(&app, &world.admin, &skill_only, "HOST").await,
        (6, 0)
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn as_of_a_day_a_programme_counts_a_skill_certificate_from_its_issue_day_and_its_kinds_only()
{
    let app = spawn_app().await;
    let world = app.world().await;
    let skill_only = programme_counting(&app, &world.admin, &["SKILL_LEVEL"]).await;
    let evaluator = world.evaluator().await;
    let trainee = evaluator.trainee().await;
    evaluator.certified(&trainee).await;
    recorded(
        &app,
        &evaluator.admin,
        skill(&trainee, "LIVESTREAM_SELLER", 5, days_from_today(-10)),
    )
    .await;

    let query = "query($p: ID, $d: Date) { programmeProgress(programmeId: $p, asOf: $d) {
      certifiedPersons targets { track certified reachedOn } } }";
    for (days, certified) in [(-11, 0), (-10, 1), (0, 1)] {
        for token in [&world.admin, &evaluator.admin] {
            let response = app
                .graphql_as(
                    Some(token),
                    query,
                    json!({ "p": skill_only, "d": days_from_today(days).to_string() }),
                )
                .await;
            let progress = &response.data()["programmeProgress"];
            let host = progress["targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["track"] == "HOST")
                .unwrap();
            assert_eq!(
                host["certified"], certified,
                "as of {days} days: {progress}"
            );
            assert_eq!(progress["certifiedPersons"], certified, "as of {days} days");
        }
    }
    assert_counts_exact(&app).await;
}
