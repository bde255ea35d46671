//! Faults of the process: SIGTERM lets in-flight requests finish, refuses new
//! connections and exits within the grace period; SIGKILL in a burst of `enrol` calls
//! loses no acknowledged enrolment and leaves the counts equal to a recount.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use talent_registry::entity::enrolment;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::batch::ENROL_MANY;
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::NewCourse;
use crate::support::flows::ENROL;
use crate::support::ids::resident_id;
use crate::support::process::Server;
use crate::support::reads::enrolled_count;

/// An institution admin's token and two open courses of its institution.
async fn institution_with_courses(app: &TestApp) -> (String, String, String) {
    let own = app.world().await.institution().await;
    let first = own.course(NewCourse::host()).await;
    let second = own.course(NewCourse::host()).await;
    (own.admin, first, second)
}

/// `enrolMany` input of `n` distinct new persons into `course`.
fn batch(course: &str, n: usize) -> Value {
    let mut documents = std::collections::BTreeSet::new();
    while documents.len() < n {
        documents.insert(resident_id());
    }
    let trainees: Vec<Value> = documents
        .into_iter()
        .map(|id| json!({ "name": "张三", "idNumber": id }))
        .collect();
    json!({ "input": { "courseId": course, "trainees": trainees } })
}

/// A POST to `/graphql` whose head and first half of the body are sent: the server has
/// the request in hand and waits for the rest.
struct HalfSent {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl HalfSent {
    async fn start(address: &str, token: &str, query: &str, variables: Value) -> Self {
        let host = address.trim_start_matches("http://");
        let body = json!({ "query": query, "variables": variables })
            .to_string()
            .into_bytes();
        let mut stream = TcpStream::connect(host).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let (first, rest) = body.split_at(body.len() / 2);
        stream.write_all(first).await.unwrap();
        stream.flush().await.unwrap();
        Self {
            stream,
            rest: rest.to_vec(),
        }
    }

    /// Sends the rest of the body and reads the answer: (status, JSON body).
    async fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(&self.rest).await.unwrap();
        let mut answer = Vec::new();
        self.stream.read_to_end(&mut answer).await.unwrap();
        let text = String::from_utf8(answer).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        (status, serde_json::from_str(&body).unwrap())
    }
}

/// The payload of an HTTP/1.1 chunked body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

#[tokio::test]
async fn sigterm_finishes_in_flight_requests_refuses_new_connections_and_exits_in_time() {
    let app = spawn_app().await;
    let (token, course, _) = institution_with_courses(&app).await;
    let grace = Duration::from_secs(20);
    let mut server = Server::start(&app.database_url, grace.as_millis() as u64);
    let server_address = server.address.clone();

    let in_flight = HalfSent::start(&server_address, &token, ENROL_MANY, batch(&course, 300)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fresh = reqwest::Client::new()
        .get(format!("{server_address}/healthz"))
        .send()
        .await;
    let (status, answer) = in_flight.finish().await;
    let exit = tokio::task::spawn_blocking(move || {
        let exit = server.wait_for_exit(grace + Duration::from_secs(5));
        (exit, server)
    })
    .await
    .unwrap()
    .0;

    assert!(fresh.is_err(), "a new connection was served after SIGTERM");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["enrolMany"]["createdCount"], 300, "{answer}");
    let exit = exit.expect("the process exits within the grace period");
    assert!(exit.success(), "exit status {exit}");
    assert!(signalled.elapsed() < grace + Duration::from_secs(5));
    assert_eq!(app.count("enrolment").await, 300);
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
                    crate::support::gql::graphql_at(&client, &address, Some(&token), ENROL, input)
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
    let differences = talent_registry::service::counting::recount::verify(&app.db)
        .await
        .unwrap();
    assert!(differences.is_empty(), "{differences:?}");
}
