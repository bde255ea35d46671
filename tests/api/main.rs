//! Integration tests through HTTP against a spawned app, one fresh database per test.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on an unexpected error"
)]

mod account;
mod course;
mod helpers;
mod schema;
mod trainee;
