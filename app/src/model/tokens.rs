//! Registration tokens as the General tab lists them, and what its forms send.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::misuse::MisuseFlag;
use crate::domain::tokens::{NewTokenForm, TokenState};

/// A registration token as the General tab lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    /// The whole token for users who may change the pool; shortened (`abcd…wxyz`) for viewers.
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub uses: i32,
    pub max_uses: Option<i32>,
    pub allow_export_controlled: bool,
    pub state: TokenState,
    pub revoke_reason: Option<String>,
}

impl TokenRow {
    /// "3 / 50" or "3 / unlimited".
    pub fn uses_text(&self) -> String {
        match self.max_uses {
            Some(max) => format!("{} / {max}", self.uses),
            None => format!("{} / unlimited", self.uses),
        }
    }
}

/// The New Token form (`tokens/create`): the pool and the fields as typed.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateTokenForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub pool: i64,
    /// More virtual accounts to create the same token for ("Also for", `also[]`).
    #[serde(default)]
    #[serde_as(as = "Vec<serde_with::DisplayFromStr>")]
    pub also: Vec<i64>,
    #[serde(flatten)]
    pub fields: NewTokenForm,
}

/// A token just created, with its virtual account's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub pool_name: String,
    pub row: TokenRow,
}

/// The revocation form (`tokens/revoke`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RevokeTokenForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub id: i64,
    pub reason: String,
}

/// The devices a token registered, flagged (the token misuse view, `/tokens/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenDevices {
    pub token: TokenRow,
    pub pool_id: i64,
    pub pool_name: String,
    /// Whether the user may revoke the token (change its pool).
    pub can_change: bool,
    /// Oldest registration first.
    pub rows: Vec<TokenDeviceRow>,
    /// More devices than the view lists (`services::token_devices::LIMIT`).
    pub more: bool,
}

/// A device a token registered, where it is now, and what looks unusual about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenDeviceRow {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub pid: String,
    pub sn: String,
    pub registered_at: DateTime<Utc>,
    /// The address its registration came from (None: not known, e.g. through a satellite).
    pub source: Option<String>,
    pub pool_id: i64,
    pub pool_name: String,
    /// Whether the user may move or remove it.
    pub can_change: bool,
    pub flags: Vec<MisuseFlag>,
}
