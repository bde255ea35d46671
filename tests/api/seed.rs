//! `seed`: synthetic data of the documented shape, reproducible, whose numbers the API
//! reports exactly.

use serde_json::json;
use talent_registry::seed::{SeedOptions, run};
use talent_registry::service::counting::recount;
use talent_registry::service::pii::PiiKey;

use crate::support::app::{TestApp, spawn_app};
use crate::support::reads::{GOAL_KINDS, rows, stats};

/// Seeds `app` with `trainees` synthetic trainees drawn from `seed`.
pub async fn seed(app: &TestApp, trainees: u64, seed: u64) -> anyhow::Result<()> {
    let options = SeedOptions {
        trainees,
        seed,
        institutions: None,
        courses: None,
    };
    run(&app.db, &PiiKey::new(b"seed test key"), &options).await?;
    Ok(())
}

/// Trainee ids and masked documents, in id order.
async fn people(app: &TestApp) -> Vec<(String, String)> {
    rows(app, "SELECT id, id_masked FROM trainee ORDER BY id")
        .await
        .iter()
        .map(|r| {
            let id: uuid::Uuid = r.try_get("", "id").unwrap();
            (id.to_string(), r.try_get("", "id_masked").unwrap())
        })
        .collect()
}

#[tokio::test]
async fn a_small_seed_covers_every_district_and_its_numbers_equal_a_recount() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    seed(&app, 1000, 7).await.unwrap();

    assert_eq!(app.count("trainee").await, 1000);
    assert_eq!(
        app.count("(SELECT DISTINCT district FROM institution) d")
            .await,
        10
    );
    let enrolments = app.count("enrolment").await;
    assert!(
        (2_500..=3_700).contains(&enrolments),
        "about three enrolments per person, got {enrolments}"
    );
    let certified = app
        .count("(SELECT DISTINCT trainee_id FROM certificate) c")
        .await;
    assert!(
        (120..=300).contains(&certified),
        "about a fifth of the persons certified, got {certified}"
    );
    let differences = recount::verify(&app.db).await.unwrap();
    assert_eq!(differences, Vec::<String>::new());
    let totals = stats(&app, Some(&admin), json!({}), &[]).await;
    assert_eq!(totals.data()["stats"][0]["enrolments"], enrolments);
    let by_district = stats(&app, Some(&admin), json!({}), &["DISTRICT"]).await;
    assert_eq!(by_district.data()["stats"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_people_and_a_registry_with_trainees_is_refused() {
    let (first, second) = tokio::join!(spawn_app(), spawn_app());
    seed(&first, 200, 11).await.unwrap();
    seed(&second, 200, 11).await.unwrap();

    assert_eq!(people(&first).await, people(&second).await);
    let again = seed(&first, 200, 12).await;
    assert!(again.is_err(), "a second seed must be refused");
    assert_eq!(first.count("trainee").await, 200);
}

#[tokio::test]
async fn verify_counts_names_a_tampered_count_and_a_rebuild_repairs_it() {
    let app = spawn_app().await;
    seed(&app, 300, 5).await.unwrap();
    for tamper in [
        "UPDATE programme_counter SET certified = certified + 1",
        "UPDATE stats_rollup SET trainees = trainees + 2 WHERE grain = 'DISTRICT'",
        "UPDATE stats_day SET completions = completions + 1 WHERE grain = 'INSTITUTION'",
        "DELETE FROM person_track WHERE track = 'HOST'",
        "UPDATE programme_person SET certificates = certificates + 1",
    ] {
        rows(&app, tamper).await;
    }

    let differences = recount::verify(&app.db).await.unwrap();
    for table in [
        "programme_counter",
        "stats_rollup",
        "stats_day",
        "person_track",
        "programme_person",
    ] {
        assert!(
            differences.iter().any(|d| d.starts_with(table)),
            "no {table} difference in {differences:?}"
        );
    }
    recount::rebuild(&app.db).await.unwrap();
    assert_eq!(
        recount::verify(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_seed_meets_every_goal_of_the_plan_in_part_and_verify_counts_stays_clean() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    seed(&app, 2000, 42).await.unwrap();

    let progress = app
        .graphql_as(
            Some(&admin),
            "{ programmeProgress { goals { kind achieved } } }",
            json!({}),
        )
        .await;
    let goals = progress.data()["programmeProgress"]["goals"]
        .as_array()
        .unwrap()
        .clone();
    let kinds: Vec<&str> = goals.iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, GOAL_KINDS);
    for goal in &goals {
        assert!(
            goal["achieved"].as_f64().unwrap() > 0.0,
            "nothing achieved: {goal}"
        );
    }
    let sales = goals[6]["achieved"].as_f64().unwrap();
    assert!(
        (2.0e11..5.0e11).contains(&sales),
        "a few billion yuan a month over 36 months, got {sales}"
    );
    let withdrawn = app
        .count("recognition WHERE withdrawn_at IS NOT NULL")
        .await;
    assert!(withdrawn > 0, "some recognitions withdrawn");
    assert_eq!(app.count("indicator").await, 36, "every month of 2023–2025");
    assert_eq!(
        recount::verify(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_seed_writes_national_credentials_with_valid_unique_numbers_that_change_no_certified_figure()
 {
    let app = spawn_app().await;
    seed(&app, 2000, 5).await.unwrap();

    let credentials = rows(
        &app,
        "SELECT t.national_number, t.number, t.level, t.issued_on, t.kind, t.track, t.subtype, \
         c.assessment, i.evaluator FROM certificate t JOIN course c ON c.id = t.course_id \
         JOIN institution i ON i.id = t.institution_id WHERE t.kind <> 'TRAINING_COMPLETION'",
    )
    .await;
    assert!(
        credentials.len() > 50,
        "a share of the certified get a credential: {}",
        credentials.len()
    );
    let mut numbers = std::collections::HashSet::new();
    for row in &credentials {
        let number: String = row.try_get("", "national_number").unwrap();
        let level: i32 = row.try_get("", "level").unwrap();
        let issued_on: chrono::NaiveDate = row.try_get("", "issued_on").unwrap();
        let parsed = talent_registry::domain::NationalNumber::parse(
            &number,
            issued_on,
            u8::try_from(level).unwrap(),
        );
        assert!(
            parsed.is_ok(),
            "{number} of level {level} issued {issued_on}"
        );
        assert_eq!(row.try_get::<String>("", "number").unwrap(), number);
        assert!(numbers.insert(number), "national numbers are unique");
        assert!(row.try_get::<bool>("", "assessment").unwrap());
        assert!(row.try_get::<bool>("", "evaluator").unwrap());
        let subtype: String = row.try_get("", "subtype").unwrap();
        let track: String = row.try_get("", "track").unwrap();
        assert_eq!(
            subtype == "LIVESTREAM_SELLER",
            track == "HOST",
            "{subtype} on {track}"
        );
    }
    let kinds = app.count("(SELECT DISTINCT kind FROM certificate) k").await;
    assert_eq!(kinds, 3, "all three kinds");
    let without_credentials = app
        .count(
            "(SELECT DISTINCT trainee_id, track FROM certificate WHERE revoked_at IS NULL \
             AND kind = 'TRAINING_COMPLETION') c",
        )
        .await;
    let with_credentials = app
        .count("(SELECT DISTINCT trainee_id, track FROM certificate WHERE revoked_at IS NULL) c")
        .await;
    assert_eq!(
        with_credentials, without_credentials,
        "credentials follow completions of the same person and track"
    );
    assert_eq!(
        recount::verify(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
}
