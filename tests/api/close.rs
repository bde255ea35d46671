//! `closeProgramme`: a closed programme answers its final figures whatever happens
//! later; closing early or twice, and changing a closed programme's goals, is refused.

use serde_json::{Value, json};

use crate::audit::entries;
use crate::goals::{RECOGNISE, assert_counts_exact, institution_of, set_goal};
use crate::results::create_programme;
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::NewCourse;
use crate::support::flows::{days_from_today, enrolled, passed_on, revoke, today};
use crate::support::gql::Gql;
use crate::support::roles::{Caller, Roles};

const CLOSE: &str = "mutation($input: ProgrammeIdInput!) {
  closeProgramme(input: $input) { id closedAt }
}";

const FINAL: &str = "query($programmeId: ID, $asOf: Date) {
  programmeProgress(programmeId: $programmeId, asOf: $asOf) {
    final asOf certifiedPersons targets { track certified inTraining }
    goals { kind achieved }
  }
}";

async fn close(app: &TestApp, token: &str, programme: &str) -> Gql {
    app.graphql_as(
        Some(token),
        CLOSE,
        json!({ "input": { "programmeId": programme } }),
    )
    .await
}

async fn progress(app: &TestApp, token: &str, programme: &str, as_of: Option<i64>) -> Value {
    let as_of = as_of.map(|d| days_from_today(d).to_string());
    let response = app
        .graphql_as(
            Some(token),
            FINAL,
            json!({ "programmeId": programme, "asOf": as_of }),
        )
        .await;
    assert!(response.body["errors"].is_null(), "{}", response.body);
    response.data()["programmeProgress"].clone()
}

fn host_certified(progress: &Value) -> i64 {
    progress["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["track"] == "HOST")
        .unwrap()["certified"]
        .as_i64()
        .unwrap()
}

fn refusal(response: &Gql) -> (String, String) {
    let error = &response.body["errors"][0];
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
        error["extensions"]["field"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

#[tokio::test]
async fn a_closed_programme_keeps_its_final_figures_after_a_revocation() {
    let app = spawn_app().await;
    let city = app.world().await;
    let ended = create_programme(&app, &city.admin, -60, -10).await;
    let academy = city.institution().await;
    let course = academy
        .course(NewCourse::host().running_since(days_from_today(-100)))
        .await;
    let trainee = academy.trainee().await;
    let enrolment = enrolled(&app, &academy.admin, &trainee, &course).await;
    let number = passed_on(&app, &academy.admin, &enrolment, days_from_today(-12)).await;

    let closed = close(&app, &city.admin, &ended).await;
    assert!(closed.body["errors"].is_null(), "{}", closed.body);
    assert!(closed.data()["closeProgramme"]["closedAt"].is_string());
    revoke(&app, Some(&city.admin), &number, "forged exam record").await;

    // The report stands: as of the last day, whatever was revoked since.
    let final_figures = progress(&app, &city.admin, &ended, None).await;
    assert_eq!(final_figures["final"], true);
    assert_eq!(final_figures["asOf"], days_from_today(-10).to_string());
    assert_eq!(host_certified(&final_figures), 1);
    assert_eq!(final_figures["certifiedPersons"], 1);
    let own = progress(&app, &academy.admin, &ended, None).await;
    assert_eq!(
        (own["final"].clone(), host_certified(&own)),
        (json!(true), 1)
    );
    // The live figure stays available with asOf.
    let live = progress(&app, &city.admin, &ended, Some(0)).await;
    assert_eq!(live["final"], false);
    assert_eq!(host_certified(&live), 0);
    assert_eq!(live["asOf"], today().to_string());

    // Closed once: again, or a change of its goals, is refused.
    assert_eq!(
        refusal(&close(&app, &city.admin, &ended).await),
        ("CONFLICT".to_owned(), "programmeId".to_owned())
    );
    let goal = set_goal(&app, &city.admin, &ended, "BASES_AND_PARKS", 5.0).await;
    assert_eq!(
        refusal(&goal),
        ("CONFLICT".to_owned(), "programmeId".to_owned())
    );
    let base = institution_of(&app, &city.admin, "LIVESTREAMING_BASE").await;
    let recognised = app
        .graphql_as(
            Some(&city.admin),
            RECOGNISE,
            json!({ "input": { "programmeId": ended, "kind": "BASES_AND_PARKS",
                "institutionId": base, "recognisedOn": days_from_today(-20).to_string(),
                "evidence": "City decision" } }),
        )
        .await;
    assert_eq!(
        refusal(&recognised),
        ("CONFLICT".to_owned(), "programmeId".to_owned())
    );
    assert_eq!(
        host_certified(&progress(&app, &city.admin, &ended, None).await),
        1
    );
    assert_counts_exact(&app).await;
}

#[tokio::test]
async fn a_programme_is_closed_only_after_its_last_day_and_only_by_the_city_admin() {
    let app = spawn_app().await;
    let roles = Roles::build(&app).await;
    let admin = roles.admin.as_str();
    let running = create_programme(&app, admin, -30, 30).await;
    let ends_today = create_programme(&app, admin, -30, 0).await;
    let ended = create_programme(&app, admin, -30, -1).await;

    for programme in [&running, &ends_today] {
        assert_eq!(
            refusal(&close(&app, admin, programme).await),
            ("CONFLICT".to_owned(), "programmeId".to_owned()),
        );
    }
    for caller in [
        Caller::CityAnalyst,
        Caller::InstitutionAdmin,
        Caller::InstitutionStaff,
        Caller::Trainee,
    ] {
        let token = roles.token(caller).unwrap();
        assert_eq!(
            refusal(&close(&app, token, &ended).await).0,
            "FORBIDDEN",
            "{caller:?}"
        );
    }
    let anonymous = app
        .graphql_as(None, CLOSE, json!({ "input": { "programmeId": ended } }))
        .await;
    assert_eq!(refusal(&anonymous).0, "UNAUTHENTICATED");
    let open = progress(&app, admin, &ended, None).await;
    assert_eq!(open["final"], false);
    // Refusals leave no trace in the audit trail; the close does, naming the programme.
    let about = json!({ "recordId": ended });
    assert!(
        entries(&app, admin, about.clone())
            .await
            .iter()
            .all(|e| e["action"] != "closeProgramme")
    );
    let closed = close(&app, admin, &ended).await;
    assert!(closed.body["errors"].is_null(), "{}", closed.body);
    let closes: Vec<Value> = entries(&app, admin, about)
        .await
        .into_iter()
        .filter(|e| e["action"] == "closeProgramme")
        .collect();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(
        (
            closes[0]["recordType"].clone(),
            closes[0]["actorRole"].clone(),
            closes[0]["kind"].clone()
        ),
        (json!("programme"), json!("CITY_ADMIN"), json!("WRITE"))
    );
    assert_eq!(
        progress(&app, &roles.analyst, &ended, None).await["final"],
        true
    );
}
