//! Server functions, grouped by domain. Each is a public endpoint under `/api/`: read the session, let
//! the service check the role, map the error. No SQL here.

pub mod account;
pub mod alerts;
pub mod api_keys;
pub mod auth;
pub mod events;
pub mod instances;
pub mod licenses;
pub mod overview;
pub mod pools;
pub mod reference;
pub mod reports;
pub mod satellites;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
pub mod session;
