//! What the rules refuse, as plain types: they know nothing of HTTP, server functions or the command
//! line. `crate::error` maps each of them to every place an error can surface.

use serde::{Deserialize, Serialize};

/// Bad input in one field, named as the form, the request body or the query string names it;
/// nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A change the state of things forbids, whatever the input; the message says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("\"{name}\" is the default virtual account. Make another one the default first.")]
    DefaultPool { name: String },
    /// A virtual account still holds things (expired lots count: they are its purchase history).
    #[error("\"{name}\" still holds {}. Transfer or remove them first.", holdings(*licenses, *tokens, *instances))]
    PoolNotEmpty {
        name: String,
        licenses: i64,
        tokens: i64,
        instances: i64,
    },
    #[error("This token is already revoked.")]
    TokenAlreadyRevoked,
    /// The change would leave the smart account without an active account admin.
    #[error("This is the account's last active account admin. Make another user an account admin first.")]
    LastAccountAdmin,
    /// The user is disabled in every smart account they belong to.
    #[error("Your access has been disabled. Ask your account admin to enable it.")]
    AccessDisabled,
}

/// "12 licenses, 1 token and 3 product instances" (only what is there).
fn holdings(licenses: i64, tokens: i64, instances: i64) -> String {
    let parts: Vec<String> = [
        (licenses, "license", "licenses"),
        (tokens, "token", "tokens"),
        (instances, "product instance", "product instances"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    match parts.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "1 token", "3 tokens".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdings_list_what_is_left() {
        let refusal = |licenses, tokens, instances| Refusal::PoolNotEmpty {
            name: "East".into(),
            licenses,
            tokens,
            instances,
        };
        assert_eq!(
            refusal(12, 1, 3).to_string(),
            "\"East\" still holds 12 licenses, 1 token and 3 product instances. Transfer or remove them first."
        );
        assert_eq!(
            refusal(0, 2, 0).to_string(),
            "\"East\" still holds 2 tokens. Transfer or remove them first."
        );
    }
}
