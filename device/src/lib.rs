//! The device client: a Smart Licensing agent of an ASR 9000-style router that speaks the device
//! protocol v1 to the portal, with an interactive shell, a script form, and a fleet load generator.
//!
//! Layers, top to bottom: `cli` and `shell` → `agent` (commands, timers, logging) → `command` (parsing),
//! `output` (formatting), `schedule` (pure timing), `state` (the file), `transport` (HTTPS and
//! signatures); `fleet` drives many devices through `transport`.

pub mod agent;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod command;
pub mod fleet;
pub mod output;
pub mod schedule;
pub mod shell;
pub mod state;
pub mod transport;

pub use agent::{Device, Reply, Setup};
