//! The city's `reachedOn` is read from the first days of a programme's series, only as
//! far as the day its target was met: it must be the day the whole series gives, whether
//! the target was met on the first day, hundreds of days in, on the last day, or not.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use talent_registry::entity::programme_day;
use uuid::Uuid;

use crate::seed::seed;
use crate::support::app::{TestApp, spawn_app};
use crate::support::fixtures::programme_between;
use crate::support::reads::{on_track, progress};

/// The seeded data's period (the default programme's).
fn period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
    )
}

/// A programme over [`period`] with these targets; returns its id.
async fn programme(app: &TestApp, admin: &str, host: i64, professional: i64) -> String {
    programme_between(app, admin, period(), (host, professional)).await
}

/// A track's whole day series in `programme`: (day, persons newly certified that day),
/// in date order, days without a change left out.
async fn series(app: &TestApp, programme: &str, track: &str) -> Vec<(NaiveDate, i64)> {
    programme_day::Entity::find()
        .filter(programme_day::Column::ProgrammeId.eq(Uuid::parse_str(programme).unwrap()))
        .filter(programme_day::Column::Track.eq(track))
        .filter(programme_day::Column::NewlyCertified.ne(0))
        .order_by_asc(programme_day::Column::Day)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.day, i64::from(row.newly_certified)))
        .collect()
}

/// The first day on which the running sum of `days` reaches `target`.
fn met_on(days: &[(NaiveDate, i64)], target: i64) -> Option<NaiveDate> {
    let mut running = 0;
    days.iter().find_map(|&(day, n)| {
        running += n;
        (running >= target).then_some(day)
    })
}

/// Targets met on the series' first day, on its 201st and 701st day with a change
/// (past the first and the second read), on its last day, and never.
fn targets(days: &[(NaiveDate, i64)]) -> Vec<i64> {
    let running = |last: usize| days.iter().take(last + 1).map(|(_, n)| n).sum::<i64>();
    let total = running(days.len() - 1);
    let mut out = vec![running(0), running(200)];
    if days.len() > 701 {
        out.push(running(700));
    }
    out.extend([total, total + 1]);
    out
}

#[tokio::test]
async fn reached_on_is_the_day_the_whole_series_met_the_target_however_late() {
    let app = spawn_app().await;
    seed(&app, 10_000, 11).await.unwrap();
    let admin = app.admin_token().await;
    let first = programme(&app, &admin, 1, 1).await;
    let (hosts, professionals) = (
        series(&app, &first, "HOST").await,
        series(&app, &first, "PROFESSIONAL").await,
    );
    assert!(
        professionals.len() > 701 && hosts.len() > 201,
        "the seed gives {} and {} days of certificates",
        hosts.len(),
        professionals.len()
    );
    let (host_targets, professional_targets) = (targets(&hosts), targets(&professionals));
    for (i, professional) in professional_targets.iter().enumerate() {
        let host = host_targets[i.min(host_targets.len() - 1)];
        let id = programme(&app, &admin, host, *professional).await;
        let response = progress(&app, &admin, &id).await;
        for (track, target, days) in [
            ("HOST", host, &hosts),
            ("PROFESSIONAL", *professional, &professionals),
        ] {
            assert_eq!(
                on_track(&response, track)["reachedOn"].as_str(),
                met_on(days, target).map(|d| d.to_string()).as_deref(),
                "{track} target {target}: {}",
                response.body
            );
        }
    }
}
