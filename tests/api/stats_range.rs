//! `stats` over a date range that cuts months: the edge months count their days inside
//! the range and none outside, on every grain, as the maintained day cells say.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use talent_registry::entity::enrolment;
use talent_registry::service::counting::recount;
use uuid::Uuid;

use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::NewCourse;
use crate::support::flows::{complete_with, enrolled, revoke, today};
use crate::support::reads::{count, rows, stats};

/// Moves an enrolment to 09:00 (China Standard Time) on `day`, as an imported history
/// would have it; the counts are rebuilt afterwards.
async fn backdate(app: &TestApp, enrolment: &str, day: NaiveDate) {
    let at: DateTime<Utc> = day.and_hms_opt(1, 0, 0).unwrap().and_utc();
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::EnrolledOn, Expr::value(day))
        .col_expr(enrolment::Column::EnrolledAt, Expr::value(at))
        .filter(enrolment::Column::Id.eq(Uuid::parse_str(enrolment).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Passes `enrolment` with the exam on `day`; returns the certificate number.
async fn pass_on(app: &TestApp, token: &str, enrolment: &str, day: NaiveDate) -> String {
    let input = json!({ "enrolmentId": enrolment, "passed": true, "assessedOn": day.to_string() });
    let response = complete_with(app, token, input).await;
    response.data()["completeEnrolment"]["certificate"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `stats` by month as `token`: month → [trainees, enrolments, completions, certified].
async fn by_month(app: &TestApp, token: &str, filter: Value) -> Vec<(String, [i64; 4])> {
    let response = stats(app, Some(token), filter, &["MONTH"]).await;
    let mut rows: Vec<(String, [i64; 4])> = response.data()["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let measures = ["trainees", "enrolments", "completions", "certifiedPersons"]
                .map(|m| row[m].as_i64().unwrap());
            (row["month"].as_str().unwrap().to_owned(), measures)
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_range_from_a_15th_to_a_10th_counts_the_15th_and_the_10th_not_the_14th_or_the_11th() {
    // Arrange: one person enrolled and passed on each of the 14th and 15th of the month
    // two months back and the 10th and 11th of last month; a fifth person certified
    // (enrolled today) on that 14th and again on that 10th.
    let app = spawn_app().await;
    let city = app.world().await;
    let nanshan = city.institution().await;
    let host = nanshan.course(NewCourse::host()).await;
    let again = nanshan.course(NewCourse::host().level(4)).await;
    let this_month = today().with_day(1).unwrap();
    let (earlier, later) = (this_month - Months::new(2), this_month - Months::new(1));
    let on = |month: NaiveDate, day: u64| month + Days::new(day - 1);
    let days = [
        on(earlier, 14),
        on(earlier, 15),
        on(later, 10),
        on(later, 11),
    ];
    let mut enrolments = Vec::new();
    for day in days {
        let person = nanshan.trainee().await;
        let enrolment = enrolled(&app, &nanshan.admin, &person, &host).await;
        backdate(&app, &enrolment, day).await;
        enrolments.push((enrolment, day));
    }
    recount::rebuild(&app.db).await.unwrap();
    for (enrolment, day) in &enrolments {
        pass_on(&app, &nanshan.admin, enrolment, *day).await;
    }
    let twice = nanshan.trainee().await;
    let first = enrolled(&app, &nanshan.admin, &twice, &host).await;
    let first = pass_on(&app, &nanshan.admin, &first, days[0]).await;
    let second = enrolled(&app, &nanshan.admin, &twice, &again).await;
    pass_on(&app, &nanshan.admin, &second, days[2]).await;
    let range = json!({ "from": days[1].to_string(), "to": days[2].to_string() });
    let (m1, m2) = (
        earlier.format("%Y-%m").to_string(),
        later.format("%Y-%m").to_string(),
    );

    // Act and assert: the 15th and the 10th count; the 14th and the 11th do not. The
    // person certified twice is counted on the 14th, outside the range.
    let expected = vec![(m1.clone(), [1, 1, 1, 1]), (m2.clone(), [1, 1, 2, 1])];
    for token in [&city.admin, &nanshan.admin] {
        assert_eq!(by_month(&app, token, range.clone()).await, expected);
    }
    let whole_months =
        json!({ "from": earlier.to_string(), "to": (this_month - Days::new(1)).to_string() });
    assert_eq!(
        by_month(&app, &city.admin, whole_months).await,
        vec![(m1.clone(), [2, 2, 3, 3]), (m2.clone(), [2, 2, 3, 2])]
    );

    // Revoking the 14th's certificate moves that person to the 10th: into the range.
    let revoked = revoke(&app, Some(&nanshan.admin), &first, "issued in error").await;
    assert_eq!(revoked.data()["revokeCertificate"]["status"], "REVOKED");
    let expected = vec![(m1, [1, 1, 1, 1]), (m2, [1, 1, 2, 2])];
    for token in [&city.admin, &nanshan.admin] {
        assert_eq!(by_month(&app, token, range.clone()).await, expected);
    }
    assert_eq!(
        recount::verify(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn folding_the_shards_of_past_cells_changes_no_figure() {
    // Arrange: one pass dated 40 days back (a past day and month) and one today; the past
    // cells spread over a shard, as their writers leave them while they are current.
    let app = spawn_app().await;
    let city = app.world().await;
    let nanshan = city.institution().await;
    let host = nanshan.course(NewCourse::host()).await;
    let past = today() - Days::new(40);
    for day in [past, today()] {
        let person = nanshan.trainee().await;
        let enrolment = enrolled(&app, &nanshan.admin, &person, &host).await;
        pass_on(&app, &nanshan.admin, &enrolment, day).await;
    }
    let this_month = today().format("%Y-%m").to_string();
    for text in [
        format!("UPDATE stats_day SET shard = 3 WHERE day < '{}'", today()),
        format!("UPDATE stats_rollup SET shard = 3 WHERE month < '{this_month}'"),
    ] {
        rows(&app, &text).await;
    }
    let past_shards = |table: &str, date: &str, bound: &str| {
        format!("SELECT COUNT(*) AS n FROM {table} WHERE shard <> 0 AND {date} < '{bound}'")
    };
    let today_text = today().to_string();
    let checks = [
        past_shards("stats_day", "day", &today_text),
        past_shards("stats_rollup", "month", &this_month),
    ];
    for check in &checks {
        assert!(count(&app, check).await > 0, "{check}");
    }
    let range = json!({ "from": (past - Days::new(3)).to_string(), "to": today().to_string() });
    let before = (
        by_month(&app, &city.admin, range.clone()).await,
        stats(&app, Some(&city.admin), json!({}), &["DISTRICT", "MONTH"])
            .await
            .body,
    );

    // Act
    let folded = talent_registry::service::counting::as_of::compact(&app.db)
        .await
        .unwrap();

    // Assert: the past shards are folded into shard 0, every figure as before.
    assert!(folded >= 2, "{folded}");
    for check in &checks {
        assert_eq!(count(&app, check).await, 0, "{check}");
    }
    let after = (
        by_month(&app, &city.admin, range).await,
        stats(&app, Some(&city.admin), json!({}), &["DISTRICT", "MONTH"])
            .await
            .body,
    );
    assert_eq!(after, before);
    assert_eq!(
        recount::verify(&app.db).await.unwrap(),
        Vec::<String>::new()
    );
}
