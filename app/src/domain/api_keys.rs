//! API keys of the customer REST API: their scope, expiry and state, and what the New API Key form
//! gives, parsed once.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;

/// The prefix of every API key (`lp_…`), so that a secret scanner and a reader can tell one apart.
pub const KEY_PREFIX: &str = "lp";
/// The longest name a key may have.
pub const MAX_NAME_CHARS: usize = 80;

/// What a key may do on top of its user's role: never more than the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// Reads only, whatever the user's role.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "read"))]
    Read,
    /// Reads and changes, as far as the user's role allows.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "write"))]
    Write,
}

impl ApiScope {
    pub const ALL: [ApiScope; 2] = [ApiScope::Read, ApiScope::Write];

    /// The form's and the API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::Read => "read",
            ApiScope::Write => "write",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApiScope::Read => "Read only",
            ApiScope::Write => "Read and write",
        }
    }

    pub fn parse(raw: &str) -> Result<ApiScope, FieldError> {
        ApiScope::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("scope", "Choose Read only or Read and write."))
    }
}

/// "Expires": after 30, 90 or 365 days, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyExpiry {
    Days(i64),
    Never,
}

impl KeyExpiry {
    pub const CHOICES: [KeyExpiry; 4] = [
        KeyExpiry::Days(30),
        KeyExpiry::Days(90),
        KeyExpiry::Days(365),
        KeyExpiry::Never,
    ];

    /// The form's value: the number of days, or `never`.
    pub fn as_value(self) -> String {
        match self {
            KeyExpiry::Days(d) => d.to_string(),
            KeyExpiry::Never => "never".to_owned(),
        }
    }

    pub fn label(self) -> String {
        match self {
            KeyExpiry::Days(d) => format!("In {d} days"),
            KeyExpiry::Never => "Never".to_owned(),
        }
    }

    pub fn parse(raw: &str) -> Result<KeyExpiry, FieldError> {
        KeyExpiry::CHOICES
            .into_iter()
            .find(|e| e.as_value() == raw.trim())
            .ok_or_else(|| FieldError::new("expires", "Choose 30, 90 or 365 days, or never."))
    }

    /// When a key made at `now` stops working.
    pub fn ends(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            KeyExpiry::Days(d) => Some(now + Duration::days(d)),
            KeyExpiry::Never => None,
        }
    }
}

/// A key's state, in the order the checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    Active,
    Expired,
    Revoked,
}

impl KeyState {
    /// Revoked (whatever else), else expired, else active.
    pub fn of(expires_at: Option<DateTime<Utc>>, revoked: bool, now: DateTime<Utc>) -> KeyState {
        if revoked {
            KeyState::Revoked
        } else if expires_at.is_some_and(|end| now >= end) {
            KeyState::Expired
        } else {
            KeyState::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyState::Active => "Active",
            KeyState::Expired => "Expired",
            KeyState::Revoked => "Revoked",
        }
    }
}

/// A key's name: trimmed, 1 to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyName(String);

impl KeyName {
    pub fn parse(raw: &str) -> Result<KeyName, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "Enter a name for the key."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError::new(
                "name",
                format!("Use at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if let Some(problem) = crate::domain::names::hidden_characters(name, &[]) {
            return Err(FieldError::new("name", problem));
        }
        Ok(KeyName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new key as the form (or the operator) asks for it, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub name: KeyName,
    pub scope: ApiScope,
    pub expiry: KeyExpiry,
    /// `None`: every virtual account the user sees, now and later.
    pub pools: Option<Vec<i64>>,
}

/// What a key narrows its user to. An actor without one is a person in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeyLimits {
    /// The key's name, for the events it causes.
    pub name: String,
    pub read_only: bool,
    /// Only these virtual accounts (each also one the user sees); `None`: all the user sees.
    pub pools: Option<Vec<i64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(KeyName::parse("  ci  ").unwrap().as_str(), "ci");
        assert_eq!(KeyName::parse(" ").unwrap_err().field, "name");
        assert!(KeyName::parse(&"x".repeat(80)).is_ok());
        assert!(KeyName::parse(&"x".repeat(81)).is_err());
        assert!(KeyName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn expiry_choices_round_trip_and_end_when_they_say() {
        let now = Utc::now();
        for e in KeyExpiry::CHOICES {
            assert_eq!(KeyExpiry::parse(&e.as_value()), Ok(e));
        }
        assert_eq!(
            KeyExpiry::parse("90").unwrap().ends(now),
            Some(now + Duration::days(90))
        );
        assert_eq!(KeyExpiry::Never.ends(now), None);
        assert_eq!(KeyExpiry::parse("7").unwrap_err().field, "expires");
    }

    #[test]
    fn revoked_wins_over_expired() {
        let now = Utc::now();
        let past = Some(now - Duration::seconds(1));
        assert_eq!(KeyState::of(past, true, now), KeyState::Revoked);
        assert_eq!(KeyState::of(past, false, now), KeyState::Expired);
        assert_eq!(KeyState::of(Some(now), false, now), KeyState::Expired);
        assert_eq!(KeyState::of(None, false, now), KeyState::Active);
    }

    #[test]
    fn scopes_parse_by_value() {
        assert_eq!(ApiScope::parse("read"), Ok(ApiScope::Read));
        assert_eq!(ApiScope::parse("write"), Ok(ApiScope::Write));
        assert_eq!(ApiScope::parse("admin").unwrap_err().field, "scope");
    }
}
