//! Domain rules as plain functions over plain types: no HTTP, no database.

pub mod alerts;
pub mod api_keys;
pub mod device;
pub mod error;
pub mod events;
pub mod forecast;
pub mod licenses;
pub mod misuse;
pub mod names;
pub mod reports;
pub mod roles;
pub mod satellites;
pub mod throttle;
pub mod tokens;
pub mod users;
