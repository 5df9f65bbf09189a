//! The REST API's one error shape, the device API's with an optional field:
//! `{"error": {"code": "…", "message": "…", "field": "…"}}`. Every refusal of `/api/v1` answers it.

use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What went wrong, for a script to decide on (the message is for people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// 400: malformed JSON, a bad query parameter or field (`field` names it); 413: body too large.
    InvalidRequest,
    /// 401: no key, or an unknown, revoked or expired key, or its user was disabled or removed.
    Unauthorized,
    /// 403: the key's scope or its user's role does not allow the change.
    Forbidden,
    /// 404: no such thing in the key's reach (another account's ids are 404 too).
    NotFound,
    /// 405: the path takes another method.
    MethodNotAllowed,
    /// 409: a rule refuses the change whatever the input (the message says which and what to do).
    Conflict,
    /// 422: this `Idempotency-Key` was used with another request.
    IdempotencyKeyReused,
    /// 429: too many requests for this key; `Retry-After` says when to come back.
    RateLimited,
    /// 500: the portal failed; the details are in its log.
    InternalError,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorDetail {
    pub code: ApiErrorCode,
    pub message: String,
    /// The parameter or body field at fault, as the request named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answer on its way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ApiErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ApiErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// 400 naming the field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.into()),
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                ApiErrorCode::InvalidRequest,
                message,
            )
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ApiErrorCode::Unauthorized,
            "Send a valid API key: Authorization: Bearer lp_…",
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ApiErrorCode::NotFound, "Not found.")
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::InternalError,
            AppError::Internal.to_string(),
        )
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ApiErrorCode::RateLimited,
                format!("Too many requests with this key; retry after {retry_after} s."),
            )
        }
    }

    pub fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code,
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> ApiError {
        match err {
            AppError::Validation { field, message } => ApiError::invalid(field, message),
            AppError::NotFound => ApiError::not_found(),
            AppError::Unauthorized | AppError::BadCredentials => ApiError::unauthorized(),
            AppError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                ApiErrorCode::Forbidden,
                "The key's scope or your role does not allow this.",
            ),
            AppError::TwoFactorRequired => ApiError::new(
                StatusCode::FORBIDDEN,
                ApiErrorCode::Forbidden,
                AppError::TwoFactorRequired.to_string(),
            ),
            AppError::Refused(refusal) => ApiError::new(
                StatusCode::CONFLICT,
                ApiErrorCode::Conflict,
                refusal.to_string(),
            ),
            AppError::Throttled { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs.max(1).unsigned_abs())
            }
            AppError::Internal | AppError::ServerFn(_) => ApiError::internal(),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> ApiError {
        AppError::from(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let bytes = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::error::Refusal;

    #[test]
    fn app_errors_keep_their_field_and_status() {
        let e = ApiError::from(AppError::validation("quantity", "At most 3 can move."));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.field.as_deref(), Some("quantity"));
        let e = ApiError::from(AppError::Refused(Refusal::TokenAlreadyRevoked));
        assert_eq!(
            (e.status, e.code),
            (StatusCode::CONFLICT, ApiErrorCode::Conflict)
        );
        assert_eq!(
            ApiError::from(AppError::NotFound).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ApiError::from(AppError::Forbidden).status,
            StatusCode::FORBIDDEN
        );
        let body = serde_json::to_value(ApiError::from(AppError::Internal).body()).unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(body["error"].get("field").is_none());
    }
}
