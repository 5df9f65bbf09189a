//! The device API, `/api/device/v1`: a plain versioned axum router (devices in the field cannot be
//! redeployed, so this is a frozen contract, PROTOCOL.md). Every failure answers
//! `{"error": {"code", "message"}}`; every 2xx JSON answer carries `X-Signature`.

mod extract;
mod limits;
pub mod signing;

/// The device API's operations, for the OpenAPI document.
pub mod paths {
    pub use super::{
        __path_authorize, __path_deregister, __path_register, __path_renew, __path_signing_key,
        __path_status,
    };
}

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use app::error::DeviceError;
use app::protocol::{AuthorizeRequest, RegisterRequest, MAX_BODY_BYTES};
#[allow(unused_imports)] // The OpenAPI attributes name these.
use app::protocol::{
    AuthorizeResponse, ErrorBody, RegisterResponse, RenewResponse, SigningKey, StatusResponse,
};
use app::services::devices;
use app::state::AppState;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Serialize;

pub use extract::{Bearer, DeviceJson};
pub use limits::{RateLimiter, RateLimits};
pub use signing::Signer;

/// What the device API needs beyond the app's state.
#[derive(Clone)]
pub struct DeviceState {
    pub app: AppState,
    pub signer: Arc<Signer>,
    pub limiter: Arc<RateLimiter>,
    /// Where every device write queues (group commit, `app::services::devices::DeviceWriter`).
    pub writer: devices::DeviceWriter,
    /// Whether the portal itself serves TLS.
    pub tls: bool,
    /// Accept plain HTTP from addresses other than loopback (a satellite-style setup).
    pub allow_http_devices: bool,
    http_logged: Arc<AtomicBool>,
}

impl DeviceState {
    pub fn new(
        app: AppState,
        signer: Arc<Signer>,
        limits: RateLimits,
        tls: bool,
        allow_http_devices: bool,
    ) -> Self {
        DeviceState {
            writer: devices::DeviceWriter::start(app.db.clone()),
            app,
            signer,
            limiter: Arc::new(RateLimiter::new(limits)),
            tls,
            allow_http_devices,
            http_logged: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// A 2xx JSON answer, signed.
fn signed<T: Serialize>(state: &DeviceState, status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let signature = state.signer.sign(&bytes);
            let mut res = (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                bytes,
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&signature) {
                res.headers_mut().insert("x-signature", v);
            }
            res
        }
        Err(err) => {
            app::error::internal("encoding a device answer failed", &err);
            DeviceError::Internal.into_response()
        }
    }
}

/// The router, to be nested at `/api/device/v1`.
pub fn router(state: DeviceState) -> Router {
    Router::new()
        .route("/register", post(register))
        .route("/authorize", post(authorize))
        .route("/renew", post(renew))
        .route("/deregister", post(deregister))
        .route("/status", get(status))
        .route("/signing-key", get(signing_key))
        .fallback(|| async { DeviceError::NotFound })
        .method_not_allowed_fallback(|| async { DeviceError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// The address a request came from (None when the server was not given connection info), put
/// there by [`guard`] for the registration to keep.
#[derive(Clone, Copy, Debug)]
struct Source(Option<std::net::IpAddr>);

/// Plain HTTP only from loopback (or when allowed), then the rate limits.
async fn guard(State(state): State<DeviceState>, mut req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if !state.tls && !state.allow_http_devices {
        if let Some(ip) = ip.filter(|ip| !ip.is_loopback()) {
            if !state.http_logged.swap(true, Ordering::Relaxed) {
                tracing::warn!(%ip, "refused a device over plain HTTP (serve TLS, or pass --allow-http-devices)");
            }
            return DeviceError::HttpsRequired.into_response();
        }
    }
    let address = ip
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "local".to_owned());
    let credential = extract::bearer_of(req.headers());
    let now = state.app.now().timestamp();
    if let Err(retry_after) = state.limiter.check(&address, credential.as_deref(), now) {
        return DeviceError::RateLimited(retry_after.unsigned_abs()).into_response();
    }
    req.extensions_mut().insert(Source(ip));
    next.run(req).await
}

/// Registers a device with a registration token (idtoken): one use of the token, counted exactly.
#[utoipa::path(
    post, path = "/api/device/v1/register", tag = "Device API", operation_id = "deviceRegister",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered; `credential` is shown only here", body = RegisterResponse),
        (status = 400, description = "Malformed JSON or a bad field (`invalid_request`, the message names it)", body = ErrorBody),
        (status = 403, description = "`token_invalid`, `token_expired`, `token_revoked` or `token_exhausted`", body = ErrorBody),
        (status = 409, description = "`already_registered`: the UDI is registered and `force` was not set, or it belongs to another smart account", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB (`invalid_request`)", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); `Retry-After` says when to come back", body = ErrorBody),
    )
)]
async fn register(
    State(s): State<DeviceState>,
    Extension(Source(source)): Extension<Source>,
    DeviceJson(req): DeviceJson<RegisterRequest>,
) -> Result<Response, DeviceError> {
    let answer = s.writer.register(req, source, s.app.now()).await?;
    Ok(signed(&s, StatusCode::CREATED, &answer))
}

/// `POST /authorize`. An unknown credential answers 401 `not_registered` whatever the body is: the
/// body's error is given only to a registered device.
#[utoipa::path(
    post, path = "/api/device/v1/authorize", tag = "Device API", operation_id = "deviceAuthorize",
    request_body = AuthorizeRequest,
    responses(
        (status = 200, description = "The device's whole usage, replaced, with its pooled compliance", body = AuthorizeResponse),
        (status = 400, description = "Malformed JSON or a bad field (`invalid_request`, the message names it)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or withdrawn credential (`not_registered`), checked before the body", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); `Retry-After` says when to come back", body = ErrorBody),
    ),
    security(("device_credential" = []))
)]
async fn authorize(
    State(s): State<DeviceState>,
    Bearer(credential): Bearer,
    body: Result<DeviceJson<AuthorizeRequest>, DeviceError>,
) -> Result<Response, DeviceError> {
    let req = match body {
        Ok(DeviceJson(req)) => req,
        Err(bad_body) => {
            if devices::is_registered(&s.app.db, &credential).await? {
                return Err(bad_body);
            }
            return Err(app::domain::device::DeviceRefusal::NotRegistered.into());
        }
    };
    let answer = s.writer.authorize(&credential, req, s.app.now()).await?;
    Ok(signed(&s, StatusCode::OK, &answer))
}

/// Renews the device's ID certificate; the credential stays.
#[utoipa::path(
    post, path = "/api/device/v1/renew", tag = "Device API", operation_id = "deviceRenew",
    responses(
        (status = 200, description = "A new ID certificate", body = RenewResponse),
        (status = 400, description = "Malformed JSON or a bad field (`invalid_request`, the message names it)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or withdrawn credential (`not_registered`), checked before the body", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); `Retry-After` says when to come back", body = ErrorBody),
    ),
    security(("device_credential" = []))
)]
async fn renew(
    State(s): State<DeviceState>,
    Bearer(credential): Bearer,
) -> Result<Response, DeviceError> {
    let answer = s.writer.renew(&credential, s.app.now()).await?;
    Ok(signed(&s, StatusCode::OK, &answer))
}

/// Removes the device: its licenses are released, its credential answers 401 from then on.
#[utoipa::path(
    post, path = "/api/device/v1/deregister", tag = "Device API", operation_id = "deviceDeregister",
    responses(
        (status = 204, description = "Deregistered"),
        (status = 400, description = "Malformed JSON or a bad field (`invalid_request`, the message names it)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or withdrawn credential (`not_registered`), checked before the body", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); `Retry-After` says when to come back", body = ErrorBody),
    ),
    security(("device_credential" = []))
)]
async fn deregister(
    State(s): State<DeviceState>,
    Bearer(credential): Bearer,
) -> Result<Response, DeviceError> {
    s.writer.deregister(&credential, s.app.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The portal's view of the device.
#[utoipa::path(
    get, path = "/api/device/v1/status", tag = "Device API", operation_id = "deviceStatus",
    responses(
        (status = 200, description = "The device as the portal sees it", body = StatusResponse),
        (status = 400, description = "Malformed JSON or a bad field (`invalid_request`, the message names it)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or withdrawn credential (`not_registered`), checked before the body", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); `Retry-After` says when to come back", body = ErrorBody),
    ),
    security(("device_credential" = []))
)]
async fn status(
    State(s): State<DeviceState>,
    Bearer(credential): Bearer,
) -> Result<Response, DeviceError> {
    let answer = devices::status(&s.app.db, &s.writer, &credential, s.app.now()).await?;
    Ok(signed(&s, StatusCode::OK, &answer))
}

/// The public key that signs every 2xx JSON answer of the device API (`X-Signature`).
#[utoipa::path(
    get, path = "/api/device/v1/signing-key", tag = "Device API", operation_id = "deviceSigningKey",
    responses((status = 200, description = "The ed25519 public key", body = SigningKey))
)]
async fn signing_key(State(s): State<DeviceState>) -> Response {
    signed(&s, StatusCode::OK, &s.signer.public())
}
