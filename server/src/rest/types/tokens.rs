//! Registration tokens.

use app::domain::tokens::TokenState;
use app::model;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
    Exhausted,
}

impl From<TokenState> for TokenStatus {
    fn from(s: TokenState) -> Self {
        match s {
            TokenState::Active => TokenStatus::Active,
            TokenState::Expired => TokenStatus::Expired,
            TokenState::Revoked => TokenStatus::Revoked,
            TokenState::Exhausted => TokenStatus::Exhausted,
        }
    }
}

/// A registration token (idtoken) of a virtual account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub id: i64,
    /// The whole token for keys that may change the pool; shortened (`idt_AbCd…`) otherwise.
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub uses: i32,
    /// `null`: unlimited.
    pub max_uses: Option<i32>,
    pub allow_export_controlled: bool,
    pub state: TokenStatus,
    pub revoke_reason: Option<String>,
}

impl From<model::TokenRow> for Token {
    fn from(t: model::TokenRow) -> Self {
        Token {
            id: t.id,
            token: t.token,
            description: t.description,
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            uses: t.uses,
            max_uses: t.max_uses,
            allow_export_controlled: t.allow_export_controlled,
            state: t.state.into(),
            revoke_reason: t.revoke_reason,
        }
    }
}

/// `POST /virtual-accounts/{id}/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewToken {
    /// At most 500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
    /// 1 to 365.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_after_days: i64,
    /// 1 to 1,000,000; `null` or absent: unlimited.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub max_uses: Option<i64>,
    #[serde(default)]
    pub allow_export_controlled: bool,
}

/// `POST /tokens/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokeToken {
    /// 1 to 500 characters.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}
