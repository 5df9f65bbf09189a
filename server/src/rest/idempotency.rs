//! `Idempotency-Key` on every POST of the REST API. The request runs in one transaction with the
//! claim of its key (`app::services::idempotency`), so the change and its kept answer commit together:
//! a retry with the same key and body gets the first answer (`Idempotent-Replayed: true`) and changes
//! nothing more; the same key with another body is 422. A 5xx is not kept (a retry runs again).
//! Requests without the header, and other methods, use the shared connection.

use std::sync::Arc;

use app::services::idempotency::{self, Claim};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiErrorCode};
use super::extract::{Caller, Db};
use super::{RestState, MAX_BODY_BYTES};

/// The header clients send, as the document names it and as axum looks it up.
pub const HEADER_NAME: &str = "Idempotency-Key";
const HEADER: &str = "idempotency-key";
/// The largest answer kept for replays (answers of POSTs are small JSON).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

pub async fn layer(State(s): State<RestState>, mut req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_owned));
    let key = match (req.method() == Method::POST, key) {
        (true, Some(Ok(key))) if idempotency::valid_key(&key) => key,
        (true, Some(_)) => {
            return ApiError::invalid("Idempotency-Key", "Use 1 to 255 visible ASCII characters.")
                .into_response()
        }
        _ => {
            req.extensions_mut().insert(Db::Pool(s.app.db.clone()));
            return next.run(req).await;
        }
    };
    match run(&s, key, req, next).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn run(s: &RestState, key: String, req: Request, next: Next) -> Result<Response, ApiError> {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(ApiError::unauthorized)?;
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiErrorCode::InvalidRequest,
            "The body is over 1 MiB.",
        )
    })?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("")
            .as_bytes(),
    );
    hasher.update(b"\n");
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());

    let txn = app::services::begin_writing(&s.app.db).await?;
    match idempotency::claim(&txn, caller.key_id, &key, &request_hash, s.app.now()).await? {
        Claim::New => {}
        Claim::Replay { status, body } => {
            txn.rollback().await?;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut replay = (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response();
            replay
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(replay);
        }
        Claim::Mismatch => {
            txn.rollback().await?;
            return Err(ApiError {
                field: Some("Idempotency-Key".to_owned()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ApiErrorCode::IdempotencyKeyReused,
                    "This Idempotency-Key was used with another request; use a new key.",
                )
            });
        }
    }
    let tx = Arc::new(txn);
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(Db::Tx(tx.clone()));
    let response = next.run(req).await;
    let (parts, body) = response.into_parts();
    let answer = to_bytes(body, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| app::error::internal("reading an answer to keep failed", &*e.into_inner()))?;
    let txn = Arc::try_unwrap(tx).map_err(|_| {
        tracing::error!("an idempotent request's transaction outlived its handler");
        ApiError::internal()
    })?;
    if parts.status.is_server_error() {
        txn.rollback().await?;
        return Ok(Response::from_parts(parts, Body::from(answer)));
    }
    idempotency::record(
        &txn,
        caller.key_id,
        &key,
        parts.status.as_u16(),
        String::from_utf8_lossy(&answer).into_owned(),
    )
    .await?;
    txn.commit().await?;
    Ok(Response::from_parts(parts, Body::from(answer)))
}
