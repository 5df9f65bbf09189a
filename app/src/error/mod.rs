//! The one error model. Domain rules refuse with their own plain enums (`domain::error`,
//! `TransferError`, `DeviceRefusal`); this module turns each of them into what every outlet needs:
//! `AppError` for server functions and pages (here), and, on the server (`outlets`), HTTP responses
//! for plain routes, the device API's JSON error body, and the operator's command-line message.
//! Unexpected failures are logged once, with their cause chain, where they become `Internal`.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::error::{FieldError, Refusal};
use crate::domain::licenses::TransferError;

#[cfg(feature = "ssr")]
mod outlets;
#[cfg(feature = "ssr")]
pub use outlets::{cli_message, internal, DeviceError};

/// Every failure a page may have to show. Expected outcomes are typed; unexpected ones are logged on
/// the server with their cause and reach the user only as `Internal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input in one field; nothing was changed.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Wrong username or password.
    #[error("The username or password is not correct.")]
    BadCredentials,
    /// Too many failed sign-ins; try again later.
    #[error("Too many failed sign-ins. Try again in {} minutes.", (retry_after_secs + 59) / 60)]
    Throttled { retry_after_secs: i64 },
    /// Not signed in, or the session ended.
    #[error("Please sign in.")]
    Unauthorized,
    /// The smart account requires two-factor sign-in and the user has not set it up yet.
    #[error("Your account requires two-factor sign-in. Set it up on your Account page first.")]
    TwoFactorRequired,
    /// The thing does not exist, or the user may not see it.
    #[error("Not found.")]
    NotFound,
    /// The user sees the thing but may not change it.
    #[error("Your role does not allow this.")]
    Forbidden,
    /// The change is refused by a rule; the refusal says which.
    #[error("{0}")]
    Refused(Refusal),
    /// Something failed on the server; the details are in the server's log.
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    /// The request itself failed (network, encoding).
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The message for the field `name`, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation {
            field: e.field,
            message: e.message,
        }
    }
}

impl From<TransferError> for AppError {
    fn from(err: TransferError) -> Self {
        AppError::validation(err.field(), err.to_string())
    }
}

impl From<crate::domain::satellites::SyncRefusal> for AppError {
    /// A refused sync file is a bad "file" (the upload's field).
    fn from(refusal: crate::domain::satellites::SyncRefusal) -> Self {
        AppError::validation("file", refusal.to_string())
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::Refused(refusal)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_message_rounds_minutes_up() {
        let e = AppError::Throttled {
            retry_after_secs: 61,
        };
        assert_eq!(
            e.to_string(),
            "Too many failed sign-ins. Try again in 2 minutes."
        );
    }

    #[test]
    fn for_field_matches_only_its_field() {
        let e = AppError::validation("name", "Enter a name.");
        assert_eq!(e.for_field("name").as_deref(), Some("Enter a name."));
        assert_eq!(e.for_field("description"), None);
    }

    #[test]
    fn domain_errors_keep_their_field_and_words() {
        assert_eq!(
            AppError::from(FieldError::new("max_uses", "Too many.")),
            AppError::validation("max_uses", "Too many.")
        );
        assert_eq!(
            AppError::from(TransferError::TooMany { most: 16 }),
            AppError::validation("quantity", "At most 16 can move.")
        );
        assert_eq!(
            AppError::from(Refusal::TokenAlreadyRevoked).to_string(),
            "This token is already revoked."
        );
    }
}
