//! The licensing portal's web app: pages, components and server functions shared by the server (`ssr`)
//! and the browser (`hydrate`), plus the pure domain rules both sides use.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod format;
pub mod links;
pub mod model;
pub mod pages;
pub mod protocol;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;

pub use routes::{shell, App, FAVICON_SVG};
