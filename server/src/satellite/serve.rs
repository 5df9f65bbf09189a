//! `server satellite serve`: the device API for the site's routers (the same `/api/device/v1` as the
//! portal's, answered from the satellite's mirror), a status page with "Synchronize Now", and in
//! network mode a synchronisation on schedule. After 90 days without a sync the satellite logs it
//! (the portal then shows its devices as "Failed to Connect").

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::services::satellites::mirror::{self, SatelliteStatus};
use app::services::signing::Signer;
use app::state::{AppState, OffsetClock, Settings};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::cli::SatelliteServeArgs;
use crate::device_api::{DeviceState, RateLimits};

#[derive(Clone)]
struct Site {
    db: DatabaseConnection,
    signer: Arc<Signer>,
    client: reqwest::Client,
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(
    db: DatabaseConnection,
    args: SatelliteServeArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let cfg = mirror::config(&db)
        .await
        .map_err(crate::operator::explain)?;
    let now = chrono::Utc::now();
    let signer = Arc::new(Signer::load_or_create(&db, now).await?);
    let client = super::client::http_client(args.ca_file.as_deref())?;
    let state = AppState::new(
        LeptosOptions::builder().output_name("portal").build(),
        db.clone(),
        Arc::new(OffsetClock::default()),
        Settings::default(),
    )
    .with_signer(signer.clone());
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?)
        }
        _ => None,
    };
    let device = DeviceState::new(
        state,
        signer.clone(),
        RateLimits {
            per_address: args.device_rate_per_address,
            per_credential: args.device_rate_per_credential,
        },
        tls.is_some(),
        args.allow_http_devices,
    );
    let site = Site {
        db: db.clone(),
        signer: signer.clone(),
        client: client.clone(),
    };
    let router = Router::new()
        .route("/", get(page))
        .route("/sync-now", post(sync_now))
        .route("/style.css", get(style))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(site.clone())
        .nest_service(app::protocol::BASE_PATH, crate::device_api::router(device));
    let interval = args
        .sync_interval
        .unwrap_or(cfg.sync_interval_secs.max(60) as u64);
    let schedule = tokio::spawn(schedule(site, cfg.upstream_url.is_some(), interval));
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "Satellite \"{}\" ({} mode): {scheme}://{}",
        cfg.name, cfg.mode, args.listen
    );
    let listener = std::net::TcpListener::bind(args.listen)?;
    listener.set_nonblocking(true)?;
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let served = match tls {
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
        None => axum::serve(tokio::net::TcpListener::from_std(listener)?, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(anyhow::Error::from),
    };
    schedule.abort();
    served
}

/// Network mode: a sync at start and every `interval` seconds. Every mode: a warning each hour once
/// the last sync is over 90 days old.
async fn schedule(site: Site, network: bool, interval: u64) {
    let mut sync = tokio::time::interval(Duration::from_secs(interval));
    let mut check = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = sync.tick(), if network => {
                match super::client::sync_now(&site.db, &site.signer, &site.client).await {
                    Ok(line) => tracing::info!("{line}"),
                    Err(err) => tracing::warn!(error = %format!("{err:#}"), "synchronisation failed; retrying at the next interval"),
                }
            }
            _ = check.tick() => {
                if let Ok(status) = mirror::status(&site.db, chrono::Utc::now()).await {
                    if status.out_of_sync {
                        tracing::warn!(
                            satellite = %status.name,
                            "no synchronisation with the portal for over 90 days: the portal shows this satellite's devices as Failed to Connect"
                        );
                    }
                }
            }
        }
    }
}

/// "Synchronize Now": refused from another site's page.
async fn sync_now(State(site): State<Site>, headers: HeaderMap) -> Response {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == "cross-site")
    {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    match super::client::sync_now(&site.db, &site.signer, &site.client).await {
        Ok(line) => tracing::info!("{line}"),
        Err(err) => tracing::warn!(error = %format!("{err:#}"), "synchronisation failed"),
    }
    Redirect::to("/").into_response()
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("satellite.css"),
    )
        .into_response()
}

/// Text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(site): State<Site>) -> Response {
    match mirror::status(&site.db, chrono::Utc::now()).await {
        Ok(status) => Html(render(&status)).into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

fn render(s: &SatelliteStatus) -> String {
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or("Never".to_owned(), |t| {
            t.format("%Y-%m-%d %H:%M UTC").to_string()
        })
    };
    let mut pools = String::new();
    for (name, licenses, devices) in &s.pools {
        let rows: String = licenses
            .iter()
            .map(|(tag, active, in_use)| {
                format!(
                    "<tr><th scope=\"row\">{}</th><td>{active}</td><td>{in_use}</td><td>{}</td></tr>",
                    esc(tag),
                    if in_use > active { "Insufficient" } else { "OK" }
                )
            })
            .collect();
        pools.push_str(&format!(
            "<section><h2>{}</h2><p>{devices} product instances</p><table><caption>Licenses of {}</caption>\
             <thead><tr><th scope=\"col\">License</th><th scope=\"col\">Active</th><th scope=\"col\">In use (whole virtual account)</th><th scope=\"col\">Status</th></tr></thead>\
             <tbody>{rows}</tbody></table></section>",
            esc(name),
            esc(name)
        ));
    }
    let sync = match &s.upstream {
        Some(url) => format!(
            "<p>Portal: {}</p><form method=\"post\" action=\"/sync-now\"><button type=\"submit\">Synchronize Now</button></form>",
            esc(url)
        ),
        None => "<p>Air-gapped: write a sync file with <code>server satellite export-sync FILE</code>, upload it on the portal's Satellites page (Upload Sync File…), then apply the response with <code>server satellite import-sync FILE</code>.</p>".to_owned(),
    };
    let error = s.last_sync_error.as_ref().map_or(String::new(), |e| {
        format!(
            "<p class=\"error\" role=\"alert\">Last synchronisation failed: {}</p>",
            esc(e)
        )
    });
    let warning = if s.out_of_sync {
        "<p class=\"error\" role=\"alert\">No synchronisation with the portal for over 90 days: the portal shows this satellite's devices as Failed to Connect.</p>"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Satellite {name}</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><main>\
         <h1>Satellite {name}</h1><p>Smart account {account} · {mode} mode</p>\
         <dl><dt>Last synchronized</dt><dd>{last}</dd><dt>Sync files written</dt><dd>{up}</dd><dt>Responses applied</dt><dd>{down}</dd></dl>\
         {warning}{error}{sync}{pools}</main></body></html>",
        name = esc(&s.name),
        account = esc(&s.account),
        mode = s.mode.label(),
        last = when(s.last_sync_at),
        up = s.files_written,
        down = s.responses_applied,
    )
}
