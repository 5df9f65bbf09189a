//! The one error type of the web app: what server functions return and what pages show.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

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
    /// The thing does not exist, or the user may not see it.
    #[error("Not found.")]
    NotFound,
    /// The user sees the thing but may not change it.
    #[error("Your role does not allow this.")]
    Forbidden,
    /// The change is refused by a rule; the message says which.
    #[error("{0}")]
    Refused(String),
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

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            tracing::error!(error = %err, cause = ?err, "database error");
            AppError::Internal
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
            tracing::error!(error = %err, "session store error");
            AppError::Internal
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(err: tokio::task::JoinError) -> Self {
            tracing::error!(error = %err, "blocking task failed");
            AppError::Internal
        }
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
}
