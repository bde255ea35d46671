//! talent-registry: the registry behind a city's livestreaming e-commerce talent programme.

/// Password hashing, bearer tokens and the signed-in caller.
pub mod auth;
/// Start-up bootstrap: first admin and default programme.
pub mod bootstrap;
/// Typed settings read from the environment and flags.
pub mod config;
/// Validated domain types and vocabulary, no I/O.
pub mod domain;
/// SeaORM entities, one per table.
pub mod entity;
/// The application error type and its stable codes.
pub mod error;
/// The GraphQL schema: resolvers, types, loaders, guards.
pub mod graphql;
/// Deterministic synthetic data for demos and benchmarks (`seed`).
pub mod seed;
/// Use cases, one module per aggregate.
pub mod service;
/// HTTP server: router, handlers, lifecycle.
pub mod startup;
/// Tracing subscriber set-up.
pub mod telemetry;
