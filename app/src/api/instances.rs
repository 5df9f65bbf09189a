//! Product instances of a virtual account (the Product Instances tab).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    BulkProgress, BulkSelection, BulkStep, InstanceDetail, InstancePage, InstanceQuery,
    InstanceTransfer, Shortfall,
};
use leptos::server_fn::codec::Json;

/// A page of the pool's instances, searched, sorted and after a cursor.
#[server(endpoint = "instances/list")]
pub async fn list_instances(
    #[server(flatten)] query: InstanceQuery,
) -> Result<InstancePage, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::list(&state.db, &actor, query, state.now()).await
}

/// Everything the portal knows of one instance.
#[server(endpoint = "instances/detail")]
pub async fn get_instance(id: i64) -> Result<InstanceDetail, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::detail(&state.db, &actor, id, state.now()).await
}

/// Moves an instance to another virtual account.
#[server(endpoint = "instances/transfer")]
pub async fn transfer_instance(
    #[server(flatten)] transfer: InstanceTransfer,
    form_id: Option<String>,
) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "instances/transfer", form_id, |db| {
        crate::services::instances::transfer(db, &actor, transfer, state.now()).await
    })
}

/// Removes an instance; its licenses are released and the device's next call gets 401.
#[server(endpoint = "instances/remove")]
pub async fn remove_instance(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::remove(&state.db, &actor, id, state.now()).await
}

/// How many instances a bulk selection holds now ("Select all N matching", the progress's total).
#[server(endpoint = "instances/bulk-count", input = Json)]
pub async fn bulk_count(selection: BulkSelection) -> Result<u64, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::bulk::count(&state.db, &actor, &selection, state.now()).await
}

/// The licenses a transfer of the selection to `target` would leave short there (the
/// confirmation's warning).
#[server(endpoint = "instances/transfer-shortfalls", input = Json)]
pub async fn transfer_shortfalls(
    selection: BulkSelection,
    target: i64,
) -> Result<Vec<Shortfall>, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::shortfalls::shortfalls(
        &state.db,
        &actor,
        &selection,
        target,
        state.now(),
    )
    .await
}

/// Transfers or removes the next chunk of a bulk selection, in one transaction.
#[server(endpoint = "instances/bulk-step", input = Json)]
pub async fn apply_bulk_step(step: BulkStep) -> Result<BulkProgress, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::bulk::step(&state.db, &actor, step, state.now()).await
}
