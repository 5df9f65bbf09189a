//! Registration tokens of a virtual account (the General tab).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{CreateTokenForm, CreatedToken, RevokeTokenForm, TokenDevices, TokenRow};

/// The pool's tokens, newest first.
#[server(endpoint = "tokens/list")]
pub async fn list_tokens(pool: i64) -> Result<Vec<TokenRow>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::tokens::list(&state.db, &actor, pool, state.now()).await
}

/// Creates a token from the New Token form, for its pool and each pool ticked under "Also for";
/// the answer carries the whole tokens, the form's pool first.
#[server(endpoint = "tokens/create")]
pub async fn create_token(
    #[server(flatten)] form: CreateTokenForm,
    form_id: Option<String>,
) -> Result<Vec<CreatedToken>, AppError> {
    use crate::domain::tokens::NewToken;
    let (state, actor) = super::session::current().await?;
    let new = NewToken::try_from(form.fields)?;
    let pools: Vec<i64> = std::iter::once(form.pool).chain(form.also).collect();
    super::once!(state, actor, "tokens/create", form_id, |db| {
        crate::services::tokens::create_for_pools(db, &actor, &pools, new, state.now()).await
    })
}

/// The devices a token registered, flagged (the token misuse view).
#[server(endpoint = "tokens/devices")]
pub async fn get_token_devices(id: i64) -> Result<TokenDevices, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::token_devices::of_token(&state.db, &actor, id, state.now()).await
}

/// Revokes a token with a reason.
#[server(endpoint = "tokens/revoke")]
pub async fn revoke_token(
    #[server(flatten)] form: RevokeTokenForm,
    form_id: Option<String>,
) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "tokens/revoke", form_id, |db| {
        crate::services::tokens::revoke(db, &actor, form.id, &form.reason, state.now()).await
    })
}

/// Deletes a token.
#[server(endpoint = "tokens/delete")]
pub async fn delete_token(id: i64, form_id: Option<String>) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "tokens/delete", form_id, |db| {
        crate::services::tokens::delete(db, &actor, id, state.now()).await
    })
}
