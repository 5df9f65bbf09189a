#![recursion_limit = "512"]
//! The portal server: configuration, database and migrations, the axum router, the operator's
//! commands. `main` is a thin shell over this library, and the integration tests build the same router.

pub mod cli;
pub mod db;
pub mod demo;
pub mod device_api;
pub mod export;
pub mod migrations;
pub mod operator;
pub mod rest;
pub mod router;
pub mod satellite;
pub mod session_store;
pub mod startup;

pub use router::build_router;
