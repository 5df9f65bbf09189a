//! The server's integration tests, one binary (one link) for all areas: each module is one area,
//! run against a fresh database per test on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

mod common;
mod licenses_common;

mod alerts;
mod auth;
mod bulk_instances;
mod config;
mod device_api;
mod device_batches;
mod device_fuzz;
mod device_takeover;
mod events;
mod forms;
mod headers;
mod housekeeping;
mod instance_search;
mod license_concurrency;
mod license_transfers;
mod licenses;
mod operator;
mod pools;
mod reports;
mod resolve_shortages;
mod rest_common;
mod rest_endpoints;
mod rest_keys;
mod rest_round_trip;
mod rest_transfers;
mod rules_agree;
mod satellites;
mod silence_counts;
mod token_misuse;
mod two_processes;
mod usage_history;
mod users;
