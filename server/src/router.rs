//! The axum router: Leptos pages and server functions, health, the dev clock; sessions and the
//! cross-site guard around them. `main` and the tests build the same router.

use std::net::SocketAddr;

use app::state::{AppState, ClientAddr};
use app::{shell, App};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::device_api::DeviceState;
use crate::session_store::DbSessionStore;

/// Sessions end after 30 minutes without a request.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::minutes(30);

/// Builds the whole application for `state`, with the device API at `/api/device/v1` (outside the
/// session and cross-site layers: devices have no cookies and no browser).
pub fn build_router(state: AppState, device: DeviceState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("portal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT))
        .with_always_save(true);
    let context_state = state.clone();
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::export::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        );
    if state.settings.dev_clock {
        router = router.route("/api/dev/clock", post(advance_clock));
    }
    router
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(cross_site_guard))
        .layer(sessions)
        .layer(middleware::from_fn(client_addr))
        .with_state(state)
        .nest_service(app::protocol::BASE_PATH, crate::device_api::router(device))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

#[derive(Deserialize)]
struct ClockAdvance {
    advance_secs: i64,
}

/// `POST /api/dev/clock {"advance_secs": N}`: moves the app's clock (only with `--dev-clock`, which is
/// refused unless the portal listens on loopback).
async fn advance_clock(State(state): State<AppState>, Json(body): Json<ClockAdvance>) -> Response {
    let now = state.clock.advance(body.advance_secs);
    tracing::warn!(advance_secs = body.advance_secs, now = %now, "dev clock moved");
    Json(serde_json::json!({ "now": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) }))
        .into_response()
}

/// Puts the client's address into the request, for the sign-in throttle.
/// (A request served without a socket, as in the tests, keeps the address it was given.)
async fn client_addr(mut req: Request, next: Next) -> Response {
    let from_socket = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string());
    match from_socket {
        Some(addr) => {
            req.extensions_mut().insert(ClientAddr(addr));
        }
        None if req.extensions().get::<ClientAddr>().is_none() => {
            req.extensions_mut()
                .insert(ClientAddr("unknown".to_owned()));
        }
        None => {}
    }
    next.run(req).await
}

/// Refuses cross-site POSTs to server functions: `Sec-Fetch-Site` when the browser sends it, else
/// `Origin` against `Host`.
async fn cross_site_guard(req: Request, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && !same_site(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn same_site(req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match (
            header(header::ORIGIN.as_str()),
            header(header::HOST.as_str()),
        ) {
            (None, _) => true,
            (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) == Some(host),
            (Some(_), None) => false,
        },
    }
}
