//! Where errors surface on the server: a plain route's HTTP answer (`IntoResponse for AppError`), the
//! device API's JSON error body (`DeviceError`), the operator's command line (`cli_message`), and the
//! one place an unexpected failure is logged (`internal`).

use std::error::Error;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use server_fn::error::ServerFnErrorErr;

use super::AppError;
use crate::domain::device::DeviceRefusal;
use crate::domain::error::FieldError;
use crate::protocol::{ErrorBody, ErrorCode, ErrorDetail};

/// Logs an unexpected failure once, with its whole cause chain, and answers the opaque `Internal`.
pub fn internal(context: &str, err: &(dyn Error + 'static)) -> AppError {
    let mut chain = Vec::new();
    let mut cause = err.source();
    while let Some(c) = cause {
        chain.push(c.to_string());
        cause = c.source();
    }
    tracing::error!(error = %err, causes = ?chain, "{context}");
    AppError::Internal
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        internal("database error", &err)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        internal("session store error", &err)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(err: tokio::task::JoinError) -> Self {
        internal("blocking task failed", &err)
    }
}

impl AppError {
    /// The HTTP status of a refusal, for plain routes and server functions alike: 5xx only for faults.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::BAD_REQUEST,
            AppError::BadCredentials | AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::TwoFactorRequired => StatusCode::FORBIDDEN,
            AppError::Refused(_) => StatusCode::CONFLICT,
            // The request could not be read: a body over the limit, or a form that does not parse.
            AppError::ServerFn(e) if e.to_string().contains("length limit exceeded") => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            AppError::ServerFn(
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_),
            ) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal | AppError::ServerFn(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A plain route's refusal (the exports): the status for scripts, the sentence for people.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status(), self.to_string()).into_response()
    }
}

/// A failure of the device API, answered as `{"error": {"code", "message"}}` (PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// What the rules refuse.
    #[error("{0}")]
    Refused(#[from] DeviceRefusal),
    #[error("the body is over 64 KiB")]
    BodyTooLarge,
    #[error("too many requests; retry after {0} s")]
    RateLimited(u64),
    #[error("this portal takes devices over HTTPS only")]
    HttpsRequired,
    #[error("no such endpoint in the device API v1")]
    NotFound,
    #[error("this endpoint takes another method")]
    MethodNotAllowed,
    /// Logged where it happened.
    #[error("the portal failed; try again later")]
    Internal,
}

impl DeviceError {
    /// The status and code of the answer.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            DeviceError::Refused(refusal) => {
                let status = match refusal {
                    DeviceRefusal::Invalid(_) => StatusCode::BAD_REQUEST,
                    DeviceRefusal::NotRegistered => StatusCode::UNAUTHORIZED,
                    DeviceRefusal::TokenInvalid
                    | DeviceRefusal::TokenExpired(_)
                    | DeviceRefusal::TokenRevoked
                    | DeviceRefusal::TokenExhausted => StatusCode::FORBIDDEN,
                    DeviceRefusal::AlreadyRegistered(_) => StatusCode::CONFLICT,
                };
                (status, refusal.code())
            }
            DeviceError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::InvalidRequest),
            DeviceError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            DeviceError::HttpsRequired => (StatusCode::FORBIDDEN, ErrorCode::HttpsRequired),
            DeviceError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            DeviceError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            DeviceError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }

    /// The body the device reads.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.status_and_code().1,
                message: self.to_string(),
            },
        }
    }
}

impl From<FieldError> for DeviceError {
    fn from(e: FieldError) -> Self {
        DeviceError::Refused(DeviceRefusal::Invalid(e))
    }
}

impl From<sea_orm::DbErr> for DeviceError {
    fn from(err: sea_orm::DbErr) -> Self {
        internal("device API database error", &err);
        DeviceError::Internal
    }
}

impl From<AppError> for DeviceError {
    /// A service shared with the pages failed under a device request: `Internal` was logged where it
    /// happened; anything else is unexpected here and logged now.
    fn from(err: AppError) -> Self {
        if err != AppError::Internal {
            tracing::error!(error = %err, "device API: unexpected service error");
        }
        DeviceError::Internal
    }
}

impl IntoResponse for DeviceError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        let bytes = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response();
        if let DeviceError::RateLimited(secs) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// An error as the operator reads it on the command line: a field is named as its flag.
pub fn cli_message(err: &AppError) -> String {
    match err {
        AppError::Validation { field, message } => {
            let flag = match field.as_str() {
                "expire_days" => "days".to_owned(),
                other => other.replace('_', "-"),
            };
            format!("--{flag}: {message}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_as_flags() {
        assert_eq!(
            cli_message(&AppError::validation(
                "quantity",
                "Give a quantity from 1 to 1,000,000,000."
            )),
            "--quantity: Give a quantity from 1 to 1,000,000,000."
        );
        assert_eq!(
            cli_message(&AppError::validation("expire_days", "1 to 365.")),
            "--days: 1 to 365."
        );
        assert_eq!(cli_message(&AppError::NotFound), "Not found.");
    }

    #[test]
    fn device_refusals_answer_the_protocol_table() {
        let cases = [
            (
                DeviceError::from(FieldError::new(
                    "udi.sn",
                    "udi.sn must be 1 to 64 characters",
                )),
                400,
                "invalid_request",
            ),
            (DeviceRefusal::NotRegistered.into(), 401, "not_registered"),
            (DeviceRefusal::TokenInvalid.into(), 403, "token_invalid"),
            (DeviceRefusal::TokenRevoked.into(), 403, "token_revoked"),
            (DeviceRefusal::TokenExhausted.into(), 403, "token_exhausted"),
            (
                DeviceRefusal::AlreadyRegistered("PID:P,SN:S".into()).into(),
                409,
                "already_registered",
            ),
            (DeviceError::BodyTooLarge, 413, "invalid_request"),
            (DeviceError::RateLimited(5), 429, "rate_limited"),
            (DeviceError::Internal, 500, "internal_error"),
        ];
        for (err, status, code) in cases {
            let (s, c) = err.status_and_code();
            assert_eq!((s.as_u16(), c.as_str()), (status, code), "{err:?}");
        }
        assert_eq!(
            DeviceError::from(FieldError::new(
                "udi.sn",
                "udi.sn must be 1 to 64 characters"
            ))
            .body()
            .error
            .message,
            "udi.sn must be 1 to 64 characters"
        );
    }
}
