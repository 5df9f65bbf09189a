//! Registration tokens of a virtual account (the General tab).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{CreateTokenForm, RevokeTokenForm, TokenRow};

/// The pool's tokens, newest first.
#[server(endpoint = "tokens/list")]
pub async fn list_tokens(pool: i64) -> Result<Vec<TokenRow>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::list(&state.db, &actor, pool, state.now()).await
}

/// Creates a token from the New Token form; the answer carries the whole token.
#[server(endpoint = "tokens/create")]
pub async fn create_token(#[server(flatten)] form: CreateTokenForm) -> Result<TokenRow, AppError> {
    use crate::domain::tokens::NewToken;
    let (state, actor) = super::session::current().await?;
    let new = NewToken::try_from(form.fields)?;
    crate::services::tokens::create(&state.db, &actor, form.pool, new, state.now()).await
}

/// Revokes a token with a reason.
#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(#[server(flatten)] form: RevokeTokenForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::revoke(&state.db, &actor, form.id, &form.reason, state.now()).await
}

/// Deletes a token.
#[server(endpoint = "tokens/delete")]
pub async fn delete_token(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::delete(&state.db, &actor, id, state.now()).await
}
