//! The portal binary: `serve` (default) or one operator command.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use app::state::Settings;
use clap::Parser;
use leptos::config::get_configuration;
use server::cli::{Cli, Command, ServeArgs};
use server::device_api::RateLimits;
use server::startup::{Application, Config, TlsFiles};
use server::{db, demo, operator};
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
    match cli.command {
        None => serve(url, ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(url, args).await,
        Some(Command::Satellite(command)) => {
            let db = db::connect_and_migrate(&url).await?;
            server::satellite::run(db, command, shutdown_signal()).await
        }
        Some(command) => {
            let db = db::connect_and_migrate(&url).await?;
            let out = operator::run(&db, command, chrono::Utc::now()).await?;
            println!("{out}");
            Ok(())
        }
    }
}

async fn serve(database_url: String, args: ServeArgs) -> anyhow::Result<()> {
    let conf = get_configuration(Some(&args.leptos_config.to_string_lossy()))
        .or_else(|_| get_configuration(None))
        .context("reading the Leptos settings")?;
    let mut leptos = conf.leptos_options;
    let addr: SocketAddr = args.listen.unwrap_or(leptos.site_addr);
    leptos.site_addr = addr;
    if args.dev_clock && !addr.ip().is_loopback() {
        bail!("--dev-clock is refused unless the portal listens on loopback (got {addr})");
    }
    let mut config = Config::new(database_url);
    config.leptos = leptos;
    config.settings = Settings {
        https: args
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https"),
        public_origin: args
            .public_url
            .as_ref()
            .map(|u| u.origin().ascii_serialization()),
        dev_clock: args.dev_clock,
    };
    config.device_limits = RateLimits {
        per_address: args.device_rate_per_address,
        per_credential: args.device_rate_per_credential,
    };
    config.tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    config.allow_http_devices = args.allow_http_devices;
    config.api_rate_per_key = args.api_rate_per_key;
    let app = Application::build(config).await?;
    if args.demo {
        let seeded = demo::seed(&app.state.db, app.state.now()).await?;
        println!("{}", seeded.sign_in_lines());
    }
    let listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    let scheme = if app.is_tls() { "https" } else { "http" };
    println!("Portal: {scheme}://{addr}");
    tracing::info!(%addr, scheme, "serving");
    app.serve(listener, shutdown_signal()).await?;
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
