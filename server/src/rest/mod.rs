//! The customer REST API, `/api/v1`: JSON, `Authorization: Bearer <API key>`. A key acts as its user,
//! narrowed by its scope and virtual accounts (`Actor::narrowed`); every handler calls the same
//! services as the pages, which decide with the same `Actor::decide`. Versioned and frozen like the
//! device API: change only by adding. The OpenAPI document (`openapi.rs`) describes it and the device
//! API, and is served at `/api/v1/openapi.json`.

mod alerts;
mod error;
pub mod extract;
pub mod idempotency;
mod instances;
mod licenses;
pub mod limits;
pub mod openapi;
mod paging;
mod pools;
pub mod reference;
mod reports;
mod tokens;
mod transfers;
pub mod types;

use std::sync::Arc;

use app::services::api_keys;
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

pub use error::{ApiError, ApiErrorBody, ApiErrorCode};
use extract::Caller;
use limits::{KeyLimiter, Standing};

/// The base path of the REST API.
pub const BASE_PATH: &str = "/api/v1";
/// The largest request body the REST API reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Requests per minute per key by default (`serve --api-rate-per-key`).
pub const DEFAULT_RATE_PER_KEY: u32 = 600;

/// What the REST API needs beyond the app's state.
#[derive(Clone)]
pub struct RestState {
    pub app: AppState,
    pub limiter: Arc<KeyLimiter>,
}

impl RestState {
    pub fn new(app: AppState, per_key_per_minute: u32) -> RestState {
        RestState {
            app,
            limiter: Arc::new(KeyLimiter::new(per_key_per_minute)),
        }
    }
}

/// The router, to be nested at `/api/v1` (outside the session and cross-site layers: scripts have
/// no cookies, and a bearer key is no ambient credential a foreign page could ride on).
pub fn router(state: RestState) -> Router {
    let keyed = Router::new()
        .route("/virtual-accounts", get(pools::list).post(pools::create))
        .route(
            "/virtual-accounts/{id}",
            get(pools::get).patch(pools::update).delete(pools::delete),
        )
        .route("/virtual-accounts/{id}/licenses", get(licenses::list))
        .route("/virtual-accounts/{id}/licenses/{tag}", get(licenses::get))
        .route(
            "/virtual-accounts/{id}/tokens",
            get(tokens::list).post(tokens::create),
        )
        .route(
            "/virtual-accounts/{id}/product-instances",
            get(instances::list),
        )
        .route("/virtual-accounts/{id}/events", get(events_list))
        .route("/transfers", post(transfers::create))
        .route("/tokens/{id}", delete(tokens::delete))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/product-instances/transfer", post(instances::transfer))
        .route(
            "/product-instances/{id}",
            get(instances::get).delete(instances::remove),
        )
        .route("/alerts", get(alerts::list))
        .route("/reports/{file}", get(reports::export))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .merge(keyed)
        .fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                ApiErrorCode::NotFound,
                "No such endpoint in the API v1 (see /api/v1/openapi.json).",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                ApiErrorCode::MethodNotAllowed,
                "This endpoint takes another method.",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

use alerts::events_list;

/// The bearer key of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// Authenticates the key, counts the request against its limit, and puts the `Caller` in.
async fn authenticate(State(s): State<RestState>, mut req: Request, next: Next) -> Response {
    let now = s.app.now();
    let Some(secret) = bearer(req.headers()) else {
        return ApiError::unauthorized().into_response();
    };
    let caller = match api_keys::authenticate(&s.app.db, secret, now).await {
        Ok(caller) => caller,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let standing = match s.limiter.check(caller.key.id, now.timestamp()) {
        Ok(standing) => standing,
        Err(standing) => {
            let mut refused = ApiError::rate_limited(standing.reset.unsigned_abs()).into_response();
            rate_headers(&mut refused, standing);
            return refused;
        }
    };
    req.extensions_mut().insert(Caller {
        actor: caller.actor,
        key_id: caller.key.id,
        account_name: caller.account.name,
    });
    let mut response = next.run(req).await;
    rate_headers(&mut response, standing);
    response
}

/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
fn rate_headers(response: &mut Response, s: Standing) {
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(s.limit));
    headers.insert("ratelimit-remaining", HeaderValue::from(s.remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(s.reset));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_keys_are_read_whatever_the_scheme_case() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer lp_abc"),
        );
        assert_eq!(bearer(&h), Some("lp_abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  lp_abc "),
        );
        assert_eq!(bearer(&h), Some("lp_abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcg=="),
        );
        assert_eq!(bearer(&h), None);
    }
}
