//! API keys of the REST API (the API Keys page, Account menu). Keys are made and revoked in the
//! browser only: a key cannot make or revoke keys.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{ApiKeyList, IssuedKey, NewApiKeyForm};

/// The user's keys (an account admin: every key of the account) and the virtual accounts the form
/// offers.
#[server(endpoint = "api-keys/list")]
pub async fn list_api_keys() -> Result<ApiKeyList, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::api_keys::list(&state.db, &actor, state.now()).await
}

/// Makes a key from the New API Key form; the answer carries the whole key, shown once.
#[server(endpoint = "api-keys/create")]
pub async fn create_api_key(
    #[server(flatten)] form: NewApiKeyForm,
    form_id: Option<String>,
) -> Result<IssuedKey, AppError> {
    let (state, actor) = super::session::current().await?;
    let new = crate::services::api_keys::parse_form(&form)?;
    super::once!(state, actor, "api-keys/create", form_id, |db| {
        crate::services::api_keys::create(db, &actor, new, state.now()).await
    })
}

/// Revokes a key: the user's own, or any key of the account for an account admin.
#[server(endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: i64, form_id: Option<String>) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "api-keys/revoke", form_id, |db| {
        crate::services::api_keys::revoke(db, &actor, id, state.now()).await
    })?;
    leptos_axum::redirect("/api-keys");
    Ok(())
}
