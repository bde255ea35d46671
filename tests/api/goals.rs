//! The plan's other goals (DESIGN.md §2.3): goals and `setGoal`, recognitions, sales
//! indicators, permissions. Progress figures are in `goal_progress.rs`.

use serde_json::{Value, json};

use crate::support::app::TestApp;
use crate::support::fixtures::World;
use crate::support::flows::{days_from_today, programme_starts, today};
use crate::support::gql::{CREATE_INSTITUTION, Gql, SET_TARGET, id_at};
use crate::support::ids::credit_code;

pub const SET_GOAL: &str = "mutation($input: SetGoalInput!) {
  setGoal(input: $input) { id targets { track target } goals { kind target unit } }
}";
pub const RECOGNISE: &str = "mutation($input: RecogniseInput!) {
  recognise(input: $input) { id kind institution { id } trainee { id } recognisedOn evidence withdrawnAt }
}";
pub const WITHDRAW: &str = "mutation($input: WithdrawRecognitionInput!) {
  withdrawRecognition(input: $input) { id withdrawnAt }
}";
pub const RECORD: &str = "mutation($input: RecordIndicatorInput!) {
  recordIndicator(input: $input) { kind month value source }
}";
pub const GOALS: &str = "query($programmeId: ID) {
  programmeProgress(programmeId: $programmeId) {
    certifiedPersons certifiedOnBothTracks
    goals { kind target achieved ratio projectedReachDate reachedOn requiredPerMonth onTrack }
  }
}";

/// Creates an institution of `kind` as the city; returns its id.
pub async fn institution_of(app: &TestApp, admin: &str, kind: &str) -> String {
    let response = app
        .graphql_as(
            Some(admin),
            CREATE_INSTITUTION,
            json!({ "input": {
                "name": format!("{kind} {}", &credit_code()[8..16]),
                "creditCode": credit_code(),
                "district": "Futian",
                "kind": kind,
            }}),
        )
        .await;
    id_at(&response.data()["createInstitution"])
}

/// `recognise` of an institution (or, with `trainee`, a person) as `token`.
pub async fn recognise(
    app: &TestApp,
    token: &str,
    programme: &str,
    kind: &str,
    subject: (Option<&str>, Option<&str>),
    on: chrono::NaiveDate,
) -> Gql {
    app.graphql_as(
        Some(token),
        RECOGNISE,
        json!({ "input": {
            "programmeId": programme, "kind": kind,
            "institutionId": subject.0, "traineeId": subject.1,
            "recognisedOn": on.to_string(), "evidence": "City decision 2026-17",
        }}),
    )
    .await
}

/// `setGoal` as `token`.
pub async fn set_goal(app: &TestApp, token: &str, programme: &str, kind: &str, target: f64) -> Gql {
    app.graphql_as(
        Some(token),
        SET_GOAL,
        json!({ "input": { "programmeId": programme, "kind": kind, "target": target } }),
    )
    .await
}

/// `programmeProgress { certifiedPersons certifiedOnBothTracks goals }` as `token`.
pub async fn goals_of(app: &TestApp, token: &str, programme: &str) -> Gql {
    app.graphql_as(Some(token), GOALS, json!({ "programmeId": programme }))
        .await
}

/// The goal `kind` of a `programmeProgress { goals }` response.
pub fn goal<'a>(response: &'a Gql, kind: &str) -> &'a Value {
    response.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} goal in {}", response.body))
}

/// `verify-counts` finds nothing.
pub async fn assert_counts_exact(app: &TestApp) {
    let differences = talent_registry::service::counting::recount::verify(&app.db)
        .await
        .unwrap();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[tokio::test]
async fn the_default_programme_carries_the_seven_goals_of_the_plan() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;

    let response = app
        .graphql_as(
            Some(&world.admin),
            "{ programmes { goals { kind target unit } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        response.data()["programmes"][0]["goals"],
        json!([
            { "kind": "CERTIFIED_HOSTS", "target": 3000.0, "unit": "persons" },
            { "kind": "CERTIFIED_PROFESSIONALS", "target": 10000.0, "unit": "persons" },
            { "kind": "SERVICE_INSTITUTIONS", "target": 100.0, "unit": "organisations" },
            { "kind": "BASES_AND_PARKS", "target": 50.0, "unit": "organisations" },
            { "kind": "ENTERPRISES_LAUNCHED", "target": 100.0, "unit": "organisations" },
            { "kind": "INFLUENTIAL_HOSTS", "target": 50.0, "unit": "persons" },
            { "kind": "SALES_CNY", "target": 300_000_000_000.0, "unit": "CNY" },
        ])
    );
}

#[tokio::test]
async fn set_goal_and_set_target_keep_a_person_goal_equal_to_its_track_target() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;

    let by_goal = set_goal(&app, &world.admin, &programme, "CERTIFIED_HOSTS", 42.0).await;
    let by_target = app
        .graphql_as(
            Some(&world.admin),
            SET_TARGET,
            json!({ "input": { "programmeId": programme, "track": "PROFESSIONAL", "target": 7 } }),
        )
        .await;
    let other = set_goal(&app, &world.admin, &programme, "BASES_AND_PARKS", 5.0).await;

    assert_eq!(
        by_goal.data()["setGoal"]["targets"],
        json!([{ "track": "HOST", "target": 42 }, { "track": "PROFESSIONAL", "target": 20 }])
    );
    assert!(by_target.body["errors"].is_null(), "{}", by_target.body);
    assert_eq!(
        other.data()["setGoal"]["goals"],
        json!([
            { "kind": "CERTIFIED_HOSTS", "target": 42.0, "unit": "persons" },
            { "kind": "CERTIFIED_PROFESSIONALS", "target": 7.0, "unit": "persons" },
            { "kind": "BASES_AND_PARKS", "target": 5.0, "unit": "organisations" },
        ]),
        "a new programme has only the goals set on it"
    );
    assert_eq!(
        app.count("programme_goal").await,
        6,
        "5 default + 1; person goals are stored once, as targets"
    );
}

#[tokio::test]
async fn a_goal_target_must_be_above_zero_and_whole_unless_it_is_yuan() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;
    let input = |kind: &str, target: f64| json!({ "programmeId": programme, "kind": kind, "target": target });

    app.assert_refused(
        &world.admin,
        SET_GOAL,
        "programme_goal",
        vec![
            ("zero", input("BASES_AND_PARKS", 0.0), "target"),
            ("negative", input("SALES_CNY", -1.0), "target"),
            (
                "half an organisation",
                input("BASES_AND_PARKS", 2.5),
                "target",
            ),
            ("half a person", input("CERTIFIED_HOSTS", 2.5), "target"),
            ("a tenth of a fen", input("SALES_CNY", 0.001), "target"),
        ],
    )
    .await;
    let sales = set_goal(&app, &world.admin, &programme, "SALES_CNY", 1234.5).await;
    assert!(sales.body["errors"].is_null(), "{}", sales.body);
}

/// A programme around today with the four recognised goals set.
async fn recognising(world: &World, app: &TestApp) -> String {
    let programme = world.programme(10, 20).await;
    for kind in [
        "SERVICE_INSTITUTIONS",
        "BASES_AND_PARKS",
        "ENTERPRISES_LAUNCHED",
        "INFLUENTIAL_HOSTS",
    ] {
        set_goal(app, &world.admin, &programme, kind, 4.0).await;
    }
    programme
}

#[tokio::test]
async fn each_goal_takes_only_its_kind_of_organisation_or_person() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = recognising(&world, &app).await;
    let base = institution_of(&app, &world.admin, "LIVESTREAMING_BASE").await;
    let enterprise = institution_of(&app, &world.admin, "ENTERPRISE").await;
    let agency = institution_of(&app, &world.admin, "SERVICE_INSTITUTION").await;
    let academy = world.institution().await;
    let person = academy.trainee().await;
    let yesterday = days_from_today(-1).to_string();
    let input = |kind: &str, institution: Option<&str>, trainee: Option<&str>, on: &str| {
        json!({ "programmeId": programme, "kind": kind, "institutionId": institution,
                "traineeId": trainee, "recognisedOn": on, "evidence": "List 3" })
    };
    let before_start = programme_starts().pred_opt().unwrap().to_string();
    let tomorrow = days_from_today(1).to_string();

    app.assert_refused(
        &world.admin,
        RECOGNISE,
        "recognition",
        vec![
            (
                "an enterprise as a base",
                input("BASES_AND_PARKS", Some(&enterprise), None, &yesterday),
                "institutionId",
            ),
            (
                "a base as an enterprise",
                input("ENTERPRISES_LAUNCHED", Some(&base), None, &yesterday),
                "institutionId",
            ),
            (
                "a base as a service institution",
                input("SERVICE_INSTITUTIONS", Some(&base), None, &yesterday),
                "institutionId",
            ),
            (
                "an institution as a host",
                input("INFLUENTIAL_HOSTS", Some(&base), None, &yesterday),
                "institutionId",
            ),
            (
                "a person as a base",
                input("BASES_AND_PARKS", None, Some(&person), &yesterday),
                "traineeId",
            ),
            (
                "both ids",
                input("BASES_AND_PARKS", Some(&base), Some(&person), &yesterday),
                "traineeId",
            ),
            (
                "neither id",
                input("BASES_AND_PARKS", None, None, &yesterday),
                "institutionId",
            ),
            (
                "a host without a person",
                input("INFLUENTIAL_HOSTS", None, None, &yesterday),
                "traineeId",
            ),
            (
                "a person goal",
                input("CERTIFIED_HOSTS", None, Some(&person), &yesterday),
                "kind",
            ),
            (
                "sales",
                input("SALES_CNY", Some(&base), None, &yesterday),
                "kind",
            ),
            (
                "before the period",
                input("BASES_AND_PARKS", Some(&base), None, &before_start),
                "recognisedOn",
            ),
            (
                "in the future",
                input("BASES_AND_PARKS", Some(&base), None, &tomorrow),
                "recognisedOn",
            ),
            (
                "no evidence",
                with_evidence(input("BASES_AND_PARKS", Some(&base), None, &yesterday), " "),
                "evidence",
            ),
        ],
    )
    .await;

    for (kind, subject) in [
        ("BASES_AND_PARKS", (Some(base.as_str()), None)),
        ("ENTERPRISES_LAUNCHED", (Some(enterprise.as_str()), None)),
        ("SERVICE_INSTITUTIONS", (Some(academy.id.as_str()), None)),
        ("SERVICE_INSTITUTIONS", (Some(agency.as_str()), None)),
        ("INFLUENTIAL_HOSTS", (None, Some(person.as_str()))),
    ] {
        let ok = recognise(&app, &world.admin, &programme, kind, subject, today()).await;
        assert_eq!(ok.data()["recognise"]["kind"], kind, "{}", ok.body);
    }
    assert_counts_exact(&app).await;
}

fn with_evidence(mut input: Value, evidence: &str) -> Value {
    input["evidence"] = json!(evidence);
    input
}

#[tokio::test]
async fn an_organisation_counts_once_per_goal_until_its_recognition_is_withdrawn() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = recognising(&world, &app).await;
    let park = institution_of(&app, &world.admin, "INDUSTRIAL_PARK").await;
    let park_id = Some(park.as_str());
    let achieved = |app: &TestApp| {
        let (app, admin, programme) = (app.clone(), world.admin.clone(), programme.clone());
        async move {
            let response = goals_of(&app, &admin, &programme).await;
            goal(&response, "BASES_AND_PARKS")["achieved"]
                .as_f64()
                .unwrap()
        }
    };

    let first = recognise(
        &app,
        &world.admin,
        &programme,
        "BASES_AND_PARKS",
        (park_id, None),
        today(),
    )
    .await;
    let again = recognise(
        &app,
        &world.admin,
        &programme,
        "BASES_AND_PARKS",
        (park_id, None),
        today(),
    )
    .await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(again.field(), Some("institutionId"));
    assert_eq!(app.count("recognition").await, 1);
    assert_eq!(achieved(&app).await, 1.0);

    let id = id_at(&first.data()["recognise"]);
    let withdrawn = app
        .graphql_as(
            Some(&world.admin),
            WITHDRAW,
            json!({ "input": { "recognitionId": id, "reason": "entered by mistake" } }),
        )
        .await;
    assert!(withdrawn.data()["withdrawRecognition"]["withdrawnAt"].is_string());
    assert_eq!(achieved(&app).await, 0.0, "a withdrawal lowers the count");
    let twice = app
        .graphql_as(
            Some(&world.admin),
            WITHDRAW,
            json!({ "input": { "recognitionId": id, "reason": "again" } }),
        )
        .await;
    assert_eq!(twice.code(), "CONFLICT");

    let back = recognise(
        &app,
        &world.admin,
        &programme,
        "BASES_AND_PARKS",
        (park_id, None),
        today(),
    )
    .await;
    assert!(
        back.body["errors"].is_null(),
        "recognised again: {}",
        back.body
    );
    assert_eq!(achieved(&app).await, 1.0);
    let listed = app
        .graphql_as(
            Some(&world.admin),
            "query($f: RecognitionFilter) { recognitions(filter: $f) { totalCount edges { node { withdrawnAt } } } }",
            json!({ "f": { "programmeId": programme, "kind": "BASES_AND_PARKS", "district": "福田" } }),
        )
        .await;
    assert_eq!(
        listed.data()["recognitions"]["totalCount"],
        2,
        "the withdrawn one stays listed"
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn recording_a_month_again_replaces_it_and_the_audit_trail_keeps_both_values() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;
    set_goal(&app, &world.admin, &programme, "SALES_CNY", 1_000.0).await;
    let month = today().format("%Y-%m").to_string();
    let record = |value: f64, source: &str| {
        json!({ "input": { "programmeId": programme, "kind": "SALES_CNY", "month": month,
                           "value": value, "source": source } })
    };

    app.graphql_as(
        Some(&world.admin),
        RECORD,
        record(250.5, "Bureau of Commerce, first estimate"),
    )
    .await;
    let replaced = app
        .graphql_as(
            Some(&world.admin),
            RECORD,
            record(300.25, "Bureau of Commerce, final"),
        )
        .await;

    assert_eq!(
        replaced.data()["recordIndicator"],
        json!({ "kind": "SALES_CNY", "month": month, "value": 300.25, "source": "Bureau of Commerce, final" })
    );
    let listed = app
        .graphql_as(
            Some(&world.admin),
            "query($p: ID!) { indicators(programmeId: $p, kind: SALES_CNY) { month value } }",
            json!({ "p": programme }),
        )
        .await;
    assert_eq!(
        listed.data()["indicators"],
        json!([{ "month": month, "value": 300.25 }])
    );
    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(goal(&progress, "SALES_CNY")["achieved"], 300.25);
    let details: Vec<String> = crate::support::reads::rows(
        &app,
        "SELECT detail FROM audit_log WHERE action = 'recordIndicator' ORDER BY at",
    )
    .await
    .iter()
    .map(|r| r.try_get::<String>("", "detail").unwrap())
    .collect();
    assert_eq!(details.len(), 2);
    assert!(
        details[0].contains("250.50 CNY, was none"),
        "{}",
        details[0]
    );
    assert!(
        details[1].contains("300.25 CNY, was 250.50"),
        "{}",
        details[1]
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn only_sales_are_recorded_by_month_within_the_period_and_not_ahead() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = world.programme(10, 20).await;
    let input = |kind: &str, month: &str, value: f64, source: &str| json!({ "programmeId": programme, "kind": kind, "month": month, "value": value, "source": source });
    let this = today().format("%Y-%m").to_string();
    let next = days_from_today(40).format("%Y-%m").to_string();
    let before = programme_starts()
        .pred_opt()
        .unwrap()
        .format("%Y-%m")
        .to_string();

    app.assert_refused(
        &world.admin,
        RECORD,
        "indicator",
        vec![
            (
                "organisations",
                input("BASES_AND_PARKS", &this, 1.0, "x"),
                "kind",
            ),
            (
                "a month without its dash",
                input("SALES_CNY", &this.replace('-', ""), 1.0, "x"),
                "month",
            ),
            (
                "before the period",
                input("SALES_CNY", &before, 1.0, "x"),
                "month",
            ),
            (
                "a month to come",
                input("SALES_CNY", &next, 1.0, "x"),
                "month",
            ),
            ("negative", input("SALES_CNY", &this, -1.0, "x"), "value"),
            ("no source", input("SALES_CNY", &this, 1.0, ""), "source"),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_city_analyst_reads_the_goals_and_institutions_may_not_write_or_list_them() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = recognising(&world, &app).await;
    let analyst = world.user("CITY_ANALYST", None).await;
    let academy = world.institution().await;
    let host = academy.trainee().await;
    recognise(
        &app,
        &world.admin,
        &programme,
        "INFLUENTIAL_HOSTS",
        (None, Some(&host)),
        today(),
    )
    .await;

    let read = app
        .graphql_as(
            Some(&analyst),
            "query($p: ID!) { recognitions { totalCount edges { node { kind trainee { id } } } }
                              indicators(programmeId: $p) { month } }",
            json!({ "p": programme }),
        )
        .await;
    assert_eq!(
        read.data()["recognitions"]["totalCount"],
        1,
        "{}",
        read.body
    );
    assert!(
        read.data()["recognitions"]["edges"][0]["node"]["trainee"].is_null(),
        "the analyst reads no trainee"
    );
    let progress = goals_of(&app, &analyst, &programme).await;
    assert_eq!(goal(&progress, "INFLUENTIAL_HOSTS")["achieved"], 1.0);

    let writes = [
        (
            RECOGNISE,
            json!({ "programmeId": programme, "kind": "BASES_AND_PARKS", "institutionId": academy.id, "recognisedOn": today().to_string(), "evidence": "x" }),
        ),
        (
            RECORD,
            json!({ "programmeId": programme, "kind": "SALES_CNY", "month": today().format("%Y-%m").to_string(), "value": 1.0, "source": "x" }),
        ),
        (
            SET_GOAL,
            json!({ "programmeId": programme, "kind": "SALES_CNY", "target": 1.0 }),
        ),
    ];
    for token in [&analyst, &academy.admin] {
        for (query, input) in &writes {
            let refused = app
                .graphql_as(Some(token), query, json!({ "input": input }))
                .await;
            assert_eq!(refused.code(), "FORBIDDEN", "{}", refused.body);
        }
    }
    let list = app
        .graphql_as(
            Some(&academy.admin),
            "{ recognitions { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list.code(), "FORBIDDEN");
    let own = goals_of(&app, &academy.admin, &programme).await;
    let kinds: Vec<&Value> = own.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["kind"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("CERTIFIED_HOSTS"), &json!("CERTIFIED_PROFESSIONALS")],
        "an institution sees the person goals on its own share only"
    );
    assert_eq!(app.count("recognition").await, 1);
}

#[tokio::test]
async fn two_recognitions_of_one_organisation_at_once_count_it_once() {
    let app = crate::support::app::spawn_app().await;
    let world = app.world().await;
    let programme = recognising(&world, &app).await;
    let enterprise = institution_of(&app, &world.admin, "ENTERPRISE").await;
    let subject = (Some(enterprise.as_str()), None);

    let (a, b) = tokio::join!(
        recognise(
            &app,
            &world.admin,
            &programme,
            "ENTERPRISES_LAUNCHED",
            subject,
            today()
        ),
        recognise(
            &app,
            &world.admin,
            &programme,
            "ENTERPRISES_LAUNCHED",
            subject,
            today()
        ),
    );

    let code = |r: &Gql| r.body["errors"][0]["extensions"]["code"].clone();
    let mut codes = [code(&a), code(&b)];
    codes.sort_by_key(Value::is_null);
    assert_eq!(
        codes,
        [json!("CONFLICT"), Value::Null],
        "{} {}",
        a.body,
        b.body
    );
    let progress = goals_of(&app, &world.admin, &programme).await;
    assert_eq!(goal(&progress, "ENTERPRISES_LAUNCHED")["achieved"], 1.0);
    assert_counts_exact(&app).await;
}
