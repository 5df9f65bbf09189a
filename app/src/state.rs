//! The router state every handler and server function reads: database, clock, settings.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// The one source of time for the whole app, so that tests and `--dev-clock` can move it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    /// Moves the clock by `secs` (negative moves it back) and returns the new time.
    fn advance(&self, secs: i64) -> DateTime<Utc>;
}

/// The system clock plus an offset that only `--dev-clock` ever changes.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_secs: AtomicI64,
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
    }

    fn advance(&self, secs: i64) -> DateTime<Utc> {
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
        self.now()
    }
}

/// Settings the request paths need.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Whether browsers reach the portal over HTTPS, its own TLS or a proxy's (`--public-url
    /// https://…`): cookies then carry `Secure` and responses `Strict-Transport-Security`.
    pub https: bool,
    /// The origin browsers use (`https://portal.example.com`), from `--public-url`; without it, the
    /// request's `Host` with the portal's own scheme. The cross-site guard compares against it.
    pub public_origin: Option<String>,
    /// Whether `POST /api/dev/clock` is enabled.
    pub dev_clock: bool,
}

/// Exports one process prepares at the same time; the rest wait their turn.
pub const CONCURRENT_EXPORTS: usize = 2;

/// Router state, provided to every Leptos route and server function as context.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// Permits for exports being prepared by this process (a limit on its own memory and disk).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// Password hashing, at most one hash per core at a time.
    pub hasher: crate::services::auth::Hasher,
    /// The API reference page's content, read from the OpenAPI document at start.
    pub api_reference: Arc<crate::model::ApiReference>,
    /// The portal's ed25519 key (device answers, sync files), loaded at start.
    pub signer: Option<Arc<crate::services::signing::Signer>>,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> AppState {
        AppState {
            leptos_options,
            db,
            clock,
            settings,
            exports: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_EXPORTS)),
            hasher: crate::services::auth::Hasher::per_core(),
            api_reference: Arc::default(),
            signer: None,
        }
    }

    /// The same state with the portal's key.
    pub fn with_signer(self, signer: Arc<crate::services::signing::Signer>) -> AppState {
        AppState {
            signer: Some(signer),
            ..self
        }
    }

    /// The same state with the API reference page's content.
    pub fn with_api_reference(self, reference: crate::model::ApiReference) -> AppState {
        AppState {
            api_reference: Arc::new(reference),
            ..self
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The client's address, put into each request's extensions by the server's middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub String);
