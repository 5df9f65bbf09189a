#![recursion_limit = "512"]
//! The portal binary: `serve` (default) or one operator command.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use app::state::{AppState, Clock, OffsetClock, Settings};
use clap::Parser;
use leptos::config::get_configuration;
use server::cli::{Cli, Command, ServeArgs};
use server::{db, demo, operator};
use tower_sessions::ExpiredDeletion;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&cli.log_level).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    std::fs::create_dir_all(&cli.data_dir)
        .with_context(|| format!("creating the data folder {}", cli.data_dir.display()))?;
    let url = cli.database_url();
    let db = db::connect_and_migrate(&url).await?;
    let clock = Arc::new(OffsetClock::default());
    match cli.command {
        None => serve(db, clock, ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(db, clock, args).await,
        Some(command) => {
            let out = operator::run(&db, command, clock.now()).await?;
            println!("{out}");
            Ok(())
        }
    }
}

async fn serve(
    db: sea_orm::DatabaseConnection,
    clock: Arc<OffsetClock>,
    args: ServeArgs,
) -> anyhow::Result<()> {
    let conf = get_configuration(Some(&args.leptos_config.to_string_lossy()))
        .or_else(|_| get_configuration(None))
        .context("reading the Leptos settings")?;
    let mut leptos_options = conf.leptos_options;
    let addr: SocketAddr = args.listen.unwrap_or(leptos_options.site_addr);
    leptos_options.site_addr = addr;
    if args.dev_clock && !addr.ip().is_loopback() {
        bail!("--dev-clock is refused unless the portal listens on loopback (got {addr})");
    }
    if args.demo {
        let seeded = demo::seed(&db, clock.now()).await?;
        println!("{}", seeded.sign_in_lines());
    }
    let store = server::session_store::DbSessionStore::new(db.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "deleting expired sessions failed");
            }
        }
    });
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "reading the TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?,
        ),
        _ => None,
    };
    let state = AppState {
        leptos_options,
        db,
        clock,
        settings: Settings {
            secure_cookies: tls.is_some(),
            dev_clock: args.dev_clock,
        },
    };
    let signer = server::device_api::Signer::load_or_create(&state.db, state.now()).await?;
    let limits = server::device_api::RateLimits {
        per_address: args.device_rate_per_address,
        per_credential: args.device_rate_per_credential,
    };
    let device = server::device_api::DeviceState::new(
        state.clone(),
        signer,
        limits,
        tls.is_some(),
        args.allow_http_devices,
    );
    let router = server::build_router(state, device);
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    if let Some(tls) = tls {
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            stopper.graceful_shutdown(Some(Duration::from_secs(10)));
        });
        println!("Portal: https://{addr}");
        tracing::info!(%addr, "serving HTTPS");
        axum_server::bind_rustls(addr, tls)
            .handle(handle)
            .serve(service)
            .await?;
    } else {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        println!("Portal: http://{addr}");
        tracing::info!(%addr, "serving");
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
