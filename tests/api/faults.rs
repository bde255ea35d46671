//! Faults of the process: SIGTERM lets in-flight requests finish, refuses new
//! connections and exits within the grace period; SIGKILL in a burst of `enrol` calls
//! loses no acknowledged enrolment and leaves the counts equal to a recount.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use talent_registry::entity::enrolment;
use uuid::Uuid;

use crate::batch::ENROL_MANY;
use crate::flows::ENROL;
use crate::helpers::{TestApp, resident_id, spawn_app};
use crate::process::Server;
use crate::reads::enrolled_count;

/// An institution admin's token and two open courses of its institution.
async fn institution_with_courses(app: &TestApp) -> (String, String, String) {
    let admin = app.admin_token().await;
    let (institution, token) = app.institution_with_admin(&admin).await;
    let first = app.create_course(&token, &institution).await;
    let second = app.create_course(&token, &institution).await;
    (token, first, second)
}

/// `enrolMany` input of `n` new persons into `course`.
fn batch(course: &str, n: usize) -> Value {
    let trainees: Vec<Value> = (0..n)
        .map(|_| json!({ "name": "张三", "idNumber": resident_id() }))
        .collect();
    json!({ "input": { "courseId": course, "trainees": trainees } })
}

#[tokio::test]
async fn sigterm_finishes_in_flight_requests_refuses_new_connections_and_exits_in_time() {
    let app = spawn_app().await;
    let (token, course, _) = institution_with_courses(&app).await;
    let grace = Duration::from_secs(20);
    let mut server = Server::start(&app.database_url, grace.as_millis() as u64);
    let server_address = server.address.clone();
    let client = server.client.clone();

    let in_flight: Vec<_> = (0..4)
        .map(|_| {
            let (client, address, token) = (client.clone(), server_address.clone(), token.clone());
            let input = batch(&course, 300);
            tokio::spawn(async move {
                let answer =
                    crate::helpers::graphql_at(&client, &address, Some(&token), ENROL_MANY, input)
                        .await;
                (answer, Instant::now())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fresh = reqwest::Client::new()
        .get(format!("{server_address}/healthz"))
        .send()
        .await;

    let mut created = 0;
    let mut finished_after_signal = 0;
    for request in in_flight {
        let (answer, at) = request.await.unwrap();
        let answer = answer.expect("an in-flight request is answered");
        assert_eq!(answer.status, 200, "{}", answer.body);
        created += answer.data()["enrolMany"]["createdCount"].as_i64().unwrap();
        finished_after_signal += usize::from(at > signalled);
    }
    let exit = tokio::task::spawn_blocking(move || {
        let exit = server.wait_for_exit(grace + Duration::from_secs(5));
        (exit, server)
    })
    .await
    .unwrap()
    .0;

    assert!(fresh.is_err(), "a new connection was served after SIGTERM");
    assert!(
        finished_after_signal > 0,
        "no request was in flight at SIGTERM"
    );
    assert_eq!(created, 4 * 300);
    let exit = exit.expect("the process exits within the grace period");
    assert!(exit.success(), "exit status {exit}");
    assert!(signalled.elapsed() < grace + Duration::from_secs(5));
    assert_eq!(app.count("enrolment").await, created);
}

#[tokio::test]
async fn sigkill_during_a_burst_of_enrolments_loses_no_acknowledged_enrolment() {
    let app = spawn_app().await;
    let (token, first, second) = institution_with_courses(&app).await;
    let registered = app
        .graphql_as(Some(&token), ENROL_MANY, batch(&first, 400))
        .await;
    let trainees: Vec<String> = registered.data()["enrolMany"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["trainee"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut server = Server::start(&app.database_url, 30_000);
    let acknowledged = Arc::new(AtomicUsize::new(0));

    let burst: Vec<_> = trainees
        .iter()
        .map(|trainee| {
            let (client, address) = (server.client.clone(), server.address.clone());
            let (token, acknowledged) = (token.clone(), acknowledged.clone());
            let input = json!({ "input": { "traineeId": trainee, "courseId": second } });
            let trainee = trainee.clone();
            tokio::spawn(async move {
                let answer =
                    crate::helpers::graphql_at(&client, &address, Some(&token), ENROL, input)
                        .await
                        .ok()?;
                let payload = &answer.body["data"]["enrol"];
                (payload["created"] == true).then(|| {
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    (
                        trainee,
                        payload["enrolment"]["id"].as_str().unwrap().to_owned(),
                    )
                })
            })
        })
        .collect();
    while acknowledged.load(Ordering::SeqCst) < 40 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let mut acks = Vec::new();
    for request in burst {
        acks.extend(request.await.unwrap());
    }
    let server = Server::start(&app.database_url, 30_000);
    let admin = app.admin_token().await;

    assert!(
        acks.len() < trainees.len(),
        "the burst ended before SIGKILL"
    );
    for (trainee, enrolment_id) in &acks {
        let again = server
            .graphql_as(
                Some(&token),
                ENROL,
                json!({ "input": { "traineeId": trainee, "courseId": second } }),
            )
            .await
            .unwrap();
        let payload = &again.data()["enrol"];
        assert_eq!(
            payload["created"], false,
            "acknowledged {enrolment_id} was lost"
        );
        assert_eq!(payload["enrolment"]["id"], enrolment_id.as_str());
    }
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(Uuid::parse_str(&second).unwrap()))
        .count(&app.db)
        .await
        .unwrap();
    assert!(rows >= acks.len() as u64);
    assert_eq!(enrolled_count(&app, &admin, &second).await, rows as i64);
    let differences = talent_registry::service::recount::verify(&app.db)
        .await
        .unwrap();
    assert!(differences.is_empty(), "{differences:?}");
}
