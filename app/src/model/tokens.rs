//! Registration tokens as the General tab lists them, and what its forms send.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    #[serde(flatten)]
    pub fields: NewTokenForm,
}

/// The revocation form (`tokens/revoke`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RevokeTokenForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub id: i64,
    pub reason: String,
}
