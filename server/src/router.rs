//! The axum router: Leptos pages and server functions, the browser bundle, health, the dev clock;
//! sessions, the cross-site guard and response compression around them. `startup` builds it for
//! `main` and for the tests alike.

use std::net::SocketAddr;

use app::state::{AppState, ClientAddr, Settings};
use app::{shell, App};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::device_api::DeviceState;
use crate::rest::RestState;
use crate::session_store::DbSessionStore;

/// Sessions end after 30 minutes without a request.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::minutes(30);

/// Builds the whole application for `state`, with the device API at `/api/device/v1` and the REST
/// API at `/api/v1` (outside the session, cross-site and compression layers: devices and scripts have
/// no cookies, a bearer key is no ambient credential, and devices check the signature of the exact
/// bytes sent).
pub fn build_router(state: AppState, device: DeviceState, rest: RestState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("portal_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.https)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT))
        .with_always_save(true);
    let context_state = state.clone();
    let sync_state = state.clone();
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/favicon.ico", get(favicon))
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            bundle(&state.leptos_options),
        )
        .merge(crate::export::routes())
        .merge(crate::satellite::portal::upload_routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        );
    if state.settings.dev_clock {
        router = router.route("/api/dev/clock", post(advance_clock));
    }
    let https = state.settings.https;
    let router = router
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(refusal_status))
        .layer(middleware::from_fn_with_state(
            state.settings.clone(),
            cross_site_guard,
        ))
        .layer(sessions)
        .layer(compression())
        .layer(middleware::from_fn(client_addr))
        .with_state(state)
        .nest_service(app::protocol::BASE_PATH, crate::device_api::router(device))
        .nest_service(crate::rest::BASE_PATH, crate::rest::router(rest))
        .nest_service(
            "/api/satellite/v1",
            crate::satellite::portal::sync_router(sync_state),
        );
    security_headers(router, https)
}

/// `/favicon.ico` for clients that ask for it whatever the page links: the portal's icon.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        app::FAVICON_SVG.replace("%23", "#"),
    )
        .into_response()
}

/// The largest body a server function reads (axum's default limit, which `leptos_axum` applies).
const MAX_SERVER_FN_BODY: u64 = 2 * 1024 * 1024;

/// Server functions answer every error with 500; this gives a refusal its own status (`AppError::status`:
/// 400 bad input, 401, 403, 404, 409 a rule, 413 too large, 422 unreadable, 429), so that a 5xx means a
/// fault. The body stays the `AppError` the page shows. A body over the limit is refused before it is read.
async fn refusal_status(req: Request, next: Next) -> Response {
    let too_large = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && req.uri().path() != "/api/satellites/upload"
        && req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > MAX_SERVER_FN_BODY);
    if too_large {
        let err = app::error::AppError::ServerFn(server_fn::error::ServerFnErrorErr::Args(
            "The request is over 2 MiB.".to_owned(),
        ));
        let mut answer = (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&err).unwrap_or_default(),
        )
            .into_response();
        answer.headers_mut().insert(
            server_fn::error::SERVER_FN_ERROR_HEADER,
            HeaderValue::from_str(req.uri().path()).unwrap_or(HeaderValue::from_static("/api")),
        );
        return answer;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response
            .headers()
            .contains_key(server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = err.status();
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The policy of every answer that is not a page (server functions, exports, the device API, files):
/// nothing may load from it, nothing may frame it.
pub const NON_PAGE_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Headers on every response: a Content-Security-Policy (a page's own, with its nonce, set while
/// rendering; else `NON_PAGE_CSP`), no framing, no MIME sniffing, no referrer to other sites,
/// `Cache-Control: no-store` unless the answer says otherwise (pages and server functions carry
/// token strings; the bundle sets its own), and HSTS when browsers reach the portal over HTTPS.
fn security_headers(router: Router, https: bool) -> Router {
    let router = router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_PAGE_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    if https {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

/// The browser bundle (`/pkg/…`), from the brotli or gzip copy the build made when the browser takes
/// one. Content-hashed names never change content: browsers keep them a year without asking again.
fn bundle(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if crate::startup::assets_are_hashed(options) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}

/// Compresses pages and server-function answers (brotli or gzip, as the browser asks). Not the
/// exports: a workbook is a zip already, and a streamed CSV must reach the browser as it is written;
/// not the bundle, which has its compressed copies.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = DefaultPredicate::new()
        .and(NotForContentType::const_new("text/csv"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats-officedocument",
        ))
        .and(NotForContentType::const_new("application/wasm"))
        .and(NotForContentType::const_new("text/javascript"))
        .and(NotForContentType::const_new("text/css"));
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(predicate)
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

/// Refuses cross-site POSTs to server functions: `Sec-Fetch-Site` must say `same-origin`; a browser
/// that does not send it must send an `Origin` equal to the portal's (scheme and host). A POST with
/// neither header is refused: every browser sends one of them.
async fn cross_site_guard(State(settings): State<Settings>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && !same_site(&settings, &req)
    {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn same_site(settings: &Settings, req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = header(header::ORIGIN.as_str()) else {
        return false;
    };
    let expected = match &settings.public_origin {
        Some(public) => public.clone(),
        None => match header(header::HOST.as_str()) {
            Some(host) => format!(
                "{}://{}",
                if settings.https { "https" } else { "http" },
                host
            ),
            None => return false,
        },
    };
    origin.eq_ignore_ascii_case(&expected)
}
