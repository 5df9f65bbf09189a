//! One startup for every way the portal runs: `main`, the integration tests and the device client's
//! tests all call `Application::build` with a `Config`, then serve the router or drive it directly.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use app::services::housekeeping;
use app::state::{AppState, Clock, OffsetClock, Settings};
use axum::Router;
use axum_server::tls_rustls::RustlsConfig;
use leptos::config::LeptosOptions;

use crate::device_api::{DeviceState, RateLimits, Signer};

/// The certificate chain and key the portal serves HTTPS with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Everything the portal needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite:PATH?mode=rwc` or `postgres://…`; migrated at start.
    pub database_url: String,
    pub leptos: LeptosOptions,
    /// Taken as given, except that `https` is on whenever the portal serves TLS.
    pub settings: Settings,
    pub device_limits: RateLimits,
    pub tls: Option<TlsFiles>,
    /// Accept devices over plain HTTP from other hosts than loopback.
    pub allow_http_devices: bool,
    /// REST API requests per minute per API key, counted by each process.
    pub api_rate_per_key: u32,
    pub clock: Arc<dyn Clock>,
}

impl Config {
    /// A portal on `database_url` with the site in `target/site` and the defaults of `serve`.
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            leptos: LeptosOptions::builder()
                .output_name("portal")
                .site_root("target/site")
                .build(),
            settings: Settings::default(),
            device_limits: RateLimits::default(),
            tls: None,
            allow_http_devices: false,
            api_rate_per_key: crate::rest::DEFAULT_RATE_PER_KEY,
            clock: Arc::new(OffsetClock::default()),
        }
    }
}

/// A built portal: its state and its router, ready to serve.
pub struct Application {
    pub state: AppState,
    pub router: Router,
    tls: Option<RustlsConfig>,
}

impl Application {
    /// Connects to and migrates the database, loads the signing key, and builds the router.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = crate::db::connect_and_migrate(&config.database_url).await?;
        let tls = match &config.tls {
            Some(files) => Some(
                RustlsConfig::from_pem_file(&files.cert, &files.key)
                    .await
                    .with_context(|| {
                        format!(
                            "reading the TLS certificate {} and key {}",
                            files.cert.display(),
                            files.key.display()
                        )
                    })?,
            ),
            None => None,
        };
        let settings = Settings {
            https: config.settings.https || tls.is_some(),
            ..config.settings
        };
        let signer = Arc::new(Signer::load_or_create(&db, config.clock.now()).await?);
        let state = AppState::new(
            with_hashed_assets(config.leptos),
            db,
            config.clock,
            settings,
        )
        .with_api_reference(crate::rest::reference::of_document(
            &crate::rest::openapi::json(),
        ))
        .with_signer(signer.clone());
        let device = DeviceState::new(
            state.clone(),
            signer,
            config.device_limits,
            tls.is_some(),
            config.allow_http_devices,
        );
        let rest = crate::rest::RestState::new(state.clone(), config.api_rate_per_key);
        let router = crate::router::build_router(state.clone(), device, rest);
        Ok(Application { state, router, tls })
    }

    /// Whether the portal serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves on `listener` (HTTPS when the config named TLS files) until `shutdown` completes, then
    /// lets requests in flight finish (up to 10 s). Every minute each process ticks the housekeeping
    /// (ended sessions, links and throttle counters), which only the lease's holder runs.
    pub async fn serve(
        self,
        listener: std::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let clock = self.state.clock.clone();
        let holder = app::services::secrets::random_hex::<8>();
        let cleanup = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(housekeeping::TICK_SECS));
            loop {
                every.tick().await;
                match housekeeping::tick(&db, &holder, clock.now()).await {
                    Ok(Some(swept)) => tracing::debug!(?swept, "housekeeping"),
                    Ok(None) => {}
                    Err(err) => tracing::warn!(error = %err, "housekeeping failed"),
                }
            }
        });
        listener.set_nonblocking(true)?;
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = match self.tls {
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let stopper = handle.clone();
                tokio::spawn(async move {
                    shutdown.await;
                    stopper.graceful_shutdown(Some(Duration::from_secs(10)));
                });
                axum_server::from_tcp_rustls(listener, tls)?
                    .handle(handle)
                    .serve(service)
                    .await
                    .map_err(anyhow::Error::from)
            }
            None => {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
                    .map_err(anyhow::Error::from)
            }
        };
        cleanup.abort();
        served
    }
}

/// The Leptos options with the bundle's content-hashed name (`portal.<hash>`) when the build wrote
/// `<site>/<pkg>/hash.txt` (see `xtask site`); as they are otherwise.
fn with_hashed_assets(mut options: LeptosOptions) -> LeptosOptions {
    let path = PathBuf::from(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join("hash.txt");
    if let Ok(hash) = std::fs::read_to_string(&path) {
        let hash = hash.trim();
        if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            options.output_name = format!("{}.{hash}", options.output_name).into();
        }
    }
    options
}

/// Whether the options name a content-hashed bundle (its files may then be cached for ever).
pub fn assets_are_hashed(options: &LeptosOptions) -> bool {
    options
        .output_name
        .rsplit_once('.')
        .is_some_and(|(_, hash)| hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}
