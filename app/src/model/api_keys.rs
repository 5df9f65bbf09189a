//! API keys as the API Keys page lists them, and what its forms send.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::api_keys::{ApiScope, KeyState};

/// An API key as the API Keys page lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// `lp_AbCdEf…`: enough to tell keys apart.
    pub prefix: String,
    pub scope: ApiScope,
    /// The virtual accounts the key is limited to; `None`: all the user sees.
    pub pools: Option<Vec<String>>,
    /// Whose key it is.
    pub owner: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub state: KeyState,
    /// Whether the user looking may revoke it (their own, or any as account admin).
    pub can_revoke: bool,
}

/// The keys the user may see: their own, and every key of the account for account admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyList {
    pub keys: Vec<ApiKeyRow>,
    /// Every virtual account the user sees, for the form's checkboxes.
    pub pools: Vec<(i64, String)>,
}

/// A key just made: the whole key, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub row: ApiKeyRow,
    pub secret: String,
}

/// The New API Key form (`api-keys/create`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewApiKeyForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub expires: String,
    /// `all` (every virtual account the user sees) or `some` (the checked `pools[]`).
    #[serde(default)]
    pub reach: String,
    #[serde(default)]
    #[serde_as(as = "Vec<serde_with::DisplayFromStr>")]
    pub pools: Vec<i64>,
}
