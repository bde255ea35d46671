//! Integration tests through HTTP against a spawned app, one fresh database per test.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod account;
mod accounts_admin;
mod activation;
mod activation_reissue;
mod as_of;
mod audit;
mod backup;
mod batch;
mod batch_order;
mod browser;
mod certificate;
mod close;
mod completion;
mod counting;
mod counting_tables;
mod course;
mod enrol_at_once;
mod enrol_remembered;
mod enrol_remembered_caller;
mod enrolment;
mod export;
mod faults;
mod goal_progress;
mod goals;
mod health;
mod hostile;
mod hostile_access;
mod import;
mod institution;
mod login_throttle;
mod metrics;
mod open_course;
mod outage;
mod overload;
mod pages;
mod pagination;
mod password_change;
mod permissions;
mod privacy;
mod programme;
mod progress_scope;
mod protocol;
mod reach;
mod recount;
mod replicas;
mod request_id;
mod results;
mod roster;
mod schema;
mod seed;
mod skill_certificates;
mod stats;
mod stats_range;
mod subsidy;
mod support;
mod tenancy;
mod tls;
mod trainee;
mod transport;
mod trusted_proxies;
mod user;
mod validation;
mod verification;
mod visibility;
