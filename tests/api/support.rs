//! What the feature modules share: the harness, GraphQL calls, fixtures and readers.

pub mod accounts;
pub mod app;
pub mod browser;
pub mod credentials;
pub mod fixtures;
pub mod flows;
pub mod gql;
pub mod hostile;
pub mod ids;
pub mod process;
pub mod proxy;
pub mod random_world;
pub mod reads;
pub mod roles;
