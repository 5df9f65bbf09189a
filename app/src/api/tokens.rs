//! Registration tokens of a virtual account (the General tab).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::TokenRow;

/// The pool's tokens, newest first.
#[server(endpoint = "tokens/list")]
pub async fn list_tokens(pool: i64) -> Result<Vec<TokenRow>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::list(&state.db, &actor, pool, state.now()).await
}

/// Creates a token. `allow_export_controlled` is a checkbox: present when checked.
#[server(endpoint = "tokens/create")]
pub async fn create_token(
    pool: i64,
    description: String,
    expire_days: String,
    max_uses: String,
    allow_export_controlled: Option<String>,
) -> Result<TokenRow, AppError> {
    use crate::services::tokens::{self, NewToken};
    let (state, actor) = super::session::current().await?;
    let form = NewToken {
        description,
        expire_days,
        max_uses,
        allow_export_controlled: allow_export_controlled.is_some(),
    };
    tokens::create(&state.db, &actor, pool, form, state.now()).await
}

/// Revokes a token with a reason.
#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64, reason: String) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::revoke(&state.db, &actor, id, &reason, state.now()).await
}

/// Deletes a token.
#[server(endpoint = "tokens/delete")]
pub async fn delete_token(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::delete(&state.db, &actor, id, state.now()).await
}
