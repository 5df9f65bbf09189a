//! Virtual accounts: list, create, rename and describe, make default, delete.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{PoolForm, PoolRow};

/// Every virtual account the user sees, with what each holds.
#[server(endpoint = "pools/list")]
pub async fn list_pools() -> Result<Vec<PoolRow>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::pools::list(&state.db, &actor, state.now()).await
}

/// Creates a virtual account.
#[server(endpoint = "pools/create")]
pub async fn create_pool(
    #[server(flatten)] form: PoolForm,
    form_id: Option<String>,
) -> Result<PoolRow, AppError> {
    let (state, actor) = super::session::current().await?;
    let created = super::once!(state, actor, "pools/create", form_id, |db| {
        crate::services::pools::create(db, &actor, &form.name, &form.description, state.now()).await
    })?;
    // The page says what was created, with or without JavaScript.
    leptos_axum::redirect(&crate::links::href(
        "/virtual-accounts",
        &[("created", created.name.clone())],
    ));
    Ok(created)
}

/// Renames and describes a virtual account.
#[server(endpoint = "pools/update")]
pub async fn update_pool(#[server(flatten)] form: PoolForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    let id = form.id.ok_or(AppError::NotFound)?;
    crate::services::pools::update(
        &state.db,
        &actor,
        id,
        &form.name,
        &form.description,
        state.now(),
    )
    .await?;
    leptos_axum::redirect("/virtual-accounts");
    Ok(())
}

/// Makes a virtual account the default.
#[server(endpoint = "pools/set-default")]
pub async fn set_default_pool(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::pools::set_default(&state.db, &actor, id, state.now()).await
}

/// Deletes an empty virtual account.
#[server(endpoint = "pools/delete")]
pub async fn delete_pool(id: i64, form_id: Option<String>) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "pools/delete", form_id, |db| {
        crate::services::pools::delete(db, &actor, id, state.now()).await
    })?;
    leptos_axum::redirect("/virtual-accounts");
    Ok(())
}
