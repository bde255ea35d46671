//! talent-registry: the registry behind a city's livestreaming e-commerce talent programme.

/// Password hashing, bearer tokens and the signed-in caller.
pub mod auth;
/// Start-up bootstrap: first admin and default programme.
pub mod bootstrap;
/// The subcommands (`serve`, `migrate`, `seed`, `verify-counts`, `create-user`, …).
pub mod cli;
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
/// The HTTP edge: `App`, router, GraphQL and CSV handlers, health checks, accept loop.
pub mod http;
/// Returning freed memory to the system (the allocator's side of a request's memory).
pub mod memory;
/// Deterministic synthetic data for demos and benchmarks (`seed`).
pub mod seed;
/// Use cases, one module per aggregate.
pub mod service;
/// Tracing subscriber set-up.
pub mod telemetry;
/// The connection pool (migrated) and service dependencies, for server and CLI alike.
pub mod wiring;
