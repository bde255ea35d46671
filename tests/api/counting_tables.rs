//! The counting tables read through their SeaORM entities (`src/entity/`): every row
//! decodes on this engine (a column type unlike the table's fails here), and the
//! figures the rows hold are the ones the API reports.

use chrono::{Datelike, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use talent_registry::entity::{
    goal_counter, goal_day, person_track, programme_certified, programme_counter, programme_day,
    programme_person, programme_person_counter, stats_rollup,
};
use uuid::Uuid;

use crate::goals::{RECORD, goal, goals_of, institution_of, recognise, set_goal};
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::NewCourse;
use crate::support::flows::{certify, enrolled, today};
use crate::support::reads::{on_track, progress, stats};

/// A programme in which one person is certified on both tracks and another is in
/// training on HOST, a base is recognised today and 12.34 CNY of sales are recorded
/// this month; returns (CITY_ADMIN token, programme id).
async fn arrange(app: &TestApp) -> (String, String) {
    let world = app.world().await;
    let programme = world.programme(5, 5).await;
    let academy = world.institution().await;
    let host = academy.course(NewCourse::host()).await;
    let professional = academy.course(NewCourse::professional()).await;
    let both = academy.trainee().await;
    certify(app, &academy.admin, &both, &host).await;
    certify(app, &academy.admin, &both, &professional).await;
    let learner = academy.trainee().await;
    enrolled(app, &academy.admin, &learner, &host).await;
    set_goal(app, &world.admin, &programme, "BASES_AND_PARKS", 4.0).await;
    set_goal(app, &world.admin, &programme, "SALES_CNY", 1_000.0).await;
    let base = institution_of(app, &world.admin, "LIVESTREAMING_BASE").await;
    let subject = (Some(base.as_str()), None);
    recognise(
        app,
        &world.admin,
        &programme,
        "BASES_AND_PARKS",
        subject,
        today(),
    )
    .await;
    let recorded = app
        .graphql_as(
            Some(&world.admin),
            RECORD,
            json!({ "input": { "programmeId": programme, "kind": "SALES_CNY",
                "month": today().format("%Y-%m").to_string(), "value": 12.34, "source": "Bureau" } }),
        )
        .await;
    assert!(recorded.body["errors"].is_null(), "{}", recorded.body);
    (world.admin.clone(), programme)
}

/// The rows of `column`'s table whose `column` (a programme id) is `programme`.
async fn of_programme<C>(
    db: &DatabaseConnection,
    column: C,
    programme: Uuid,
) -> Vec<<C::EntityName as EntityTrait>::Model>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    <C::EntityName as EntityTrait>::find()
        .filter(column.eq(programme))
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_counting_table_loads_through_its_entity_with_the_figures_the_api_reports() {
    let app = spawn_app().await;
    let (admin, programme) = arrange(&app).await;

    track_tables_match_programme_progress(&app, &admin, &programme).await;
    stats_rollup_matches_stats(&app, &admin).await;
    goal_tables_match_the_goals(&app, &admin, &programme).await;
}

/// `programme_counter`, `programme_person`, `programme_day` and `person_track` against
/// `programmeProgress`: HOST (1 certified, 1 in training), PROFESSIONAL (1, 0).
async fn track_tables_match_programme_progress(app: &TestApp, admin: &str, programme: &str) {
    let (db, id) = (&app.db, Uuid::parse_str(programme).unwrap());
    let people = person_track::Entity::find().all(db).await.unwrap();
    let standings = of_programme(db, programme_person::Column::ProgrammeId, id).await;
    let counters = of_programme(db, programme_counter::Column::ProgrammeId, id).await;
    let days = of_programme(db, programme_day::Column::ProgrammeId, id).await;
    let reported = progress(app, admin, programme).await;
    for (track, expected) in [("HOST", (1, 1)), ("PROFESSIONAL", (1, 0))] {
        let figures = on_track(&reported, track);
        let api = (
            figures["certified"].as_i64().unwrap(),
            figures["inTraining"].as_i64().unwrap(),
        );
        assert_eq!(api, expected, "{track}: {}", reported.body);
        let shards: Vec<_> = counters.iter().filter(|c| c.track == track).collect();
        let summed = shards.iter().fold((0, 0), |(c, t), shard| {
            (
                c + i64::from(shard.certified),
                t + i64::from(shard.in_training),
            )
        });
        assert_eq!(summed, api, "programme_counter on {track}");
        let holders: Vec<_> = standings
            .iter()
            .filter(|p| p.track == track)
            .map(|p| (p.certificates, p.first_on))
            .collect();
        assert_eq!(holders, [(1, Some(today()))], "programme_person on {track}");
        let newly: Vec<_> = days
            .iter()
            .filter(|d| d.track == track)
            .map(|d| (d.day, d.newly_certified))
            .collect();
        assert_eq!(newly, [(today(), 1)], "programme_day on {track}");
        let persons: Vec<_> = people.iter().filter(|p| p.track == track).collect();
        let certified = persons
            .iter()
            .filter(|p| p.first_certificate_id.is_some() && p.first_certified_at.is_some())
            .count();
        let training = persons
            .iter()
            .filter(|p| p.enrolled_now > 0 && p.first_certificate_id.is_none())
            .count();
        let in_training = usize::try_from(api.1).unwrap();
        assert_eq!(
            (certified, training),
            (1, in_training),
            "person_track on {track}"
        );
        assert!(persons.iter().all(|p| p.first_enrolled_at <= Utc::now()));
    }
}

/// `stats_rollup`, summed at each grain, against the city's `stats` totals.
async fn stats_rollup_matches_stats(app: &TestApp, admin: &str) {
    let cells = stats_rollup::Entity::find().all(&app.db).await.unwrap();
    let totals = stats(app, Some(admin), json!({}), &[]).await;
    let api = ["trainees", "enrolments", "completions", "certifiedPersons"]
        .map(|measure| totals.data()["stats"][0][measure].as_i64().unwrap());
    assert_eq!(api, [3, 3, 2, 2], "{}", totals.body);
    for grain in ["INSTITUTION", "DISTRICT", "DISTRICT_TOTAL"] {
        let mut stored = [0; 4];
        for cell in cells.iter().filter(|c| c.grain == grain) {
            let measures = [
                cell.trainees,
                cell.enrolments,
                cell.completions,
                cell.certified_persons,
            ];
            for (sum, n) in stored.iter_mut().zip(measures) {
                *sum += i64::from(n);
            }
        }
        assert_eq!(stored, api, "stats_rollup at {grain}");
    }
}

/// `goal_counter`, `goal_day`, `programme_certified` and `programme_person_counter`
/// against `programmeProgress { goals certifiedPersons certifiedOnBothTracks }`.
async fn goal_tables_match_the_goals(app: &TestApp, admin: &str, programme: &str) {
    let (db, id) = (&app.db, Uuid::parse_str(programme).unwrap());
    let counters = of_programme(db, goal_counter::Column::ProgrammeId, id).await;
    let days = of_programme(db, goal_day::Column::ProgrammeId, id).await;
    let tracks = of_programme(db, programme_certified::Column::ProgrammeId, id).await;
    let shards = of_programme(db, programme_person_counter::Column::ProgrammeId, id).await;
    let goals = goals_of(app, admin, programme).await;
    let this_month = today().with_day(1).unwrap();
    for (kind, day, stored, achieved) in [
        ("BASES_AND_PARKS", today(), 1, 1.0),
        ("SALES_CNY", this_month, 1234, 12.34),
    ] {
        assert_eq!(goal(&goals, kind)["achieved"], achieved, "{kind}");
        let counter: Vec<_> = counters
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.achieved)
            .collect();
        assert_eq!(counter, [stored], "goal_counter of {kind}");
        let changes: Vec<_> = days
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| (d.day, d.change))
            .collect();
        assert_eq!(changes, [(day, stored)], "goal_day of {kind}");
    }
    let persons = &goals.data()["programmeProgress"];
    let api = (
        persons["certifiedPersons"].as_i64().unwrap(),
        persons["certifiedOnBothTracks"].as_i64().unwrap(),
    );
    assert_eq!(api, (1, 1), "{}", goals.body);
    let rows: Vec<_> = tracks.iter().map(|c| c.tracks).collect();
    assert_eq!(rows, [2], "programme_certified");
    let summed = shards.iter().fold((0, 0), |(p, b), shard| {
        (
            p + i64::from(shard.persons),
            b + i64::from(shard.both_tracks),
        )
    });
    assert_eq!(summed, api, "programme_person_counter");
}
