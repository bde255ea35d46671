//! Integration tests through HTTP against a spawned app, one fresh database per test.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod account;
mod activation;
mod audit;
mod batch;
mod certificate;
mod completion;
mod counting;
mod course;
mod enrolment;
mod export;
mod faults;
mod fixtures;
mod flows;
mod health;
mod helpers;
mod hostile;
mod hostile_access;
mod import;
mod institution;
mod login_throttle;
mod outage;
mod overload;
mod pagination;
mod permissions;
mod privacy;
mod process;
mod programme;
mod progress_scope;
mod protocol;
mod proxy;
mod random_world;
mod reads;
mod recount;
mod schema;
mod seed;
mod stats;
mod tenancy;
mod tls;
mod trainee;
mod transport;
mod user;
mod validation;
mod verification;
mod visibility;
