//! Product instances of a virtual account (the Product Instances tab).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{InstanceDetail, InstancePage};

/// A page of the pool's instances. `sort`: hostname, serial, last_contact or registered; `dir`: asc or
/// desc; `after`: the previous page's `next` cursor.
#[server(endpoint = "instances/list")]
pub async fn list_instances(
    pool: i64,
    search: String,
    sort: String,
    dir: String,
    after: Option<String>,
) -> Result<InstancePage, AppError> {
    use crate::services::instances::{self, InstanceQuery, Sort};
    let (state, actor) = super::session::current().await?;
    let query = InstanceQuery {
        pool,
        search,
        sort: Sort::parse(&sort),
        descending: dir == "desc",
        after,
    };
    instances::list(&state.db, &actor, query, state.now()).await
}

/// Everything the portal knows of one instance.
#[server(endpoint = "instances/detail")]
pub async fn get_instance(id: i64) -> Result<InstanceDetail, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::detail(&state.db, &actor, id, state.now()).await
}

/// Moves an instance to another virtual account.
#[server(endpoint = "instances/transfer")]
pub async fn transfer_instance(id: i64, target: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::transfer(&state.db, &actor, id, target, state.now()).await
}

/// Removes an instance; its licenses are released and the device's next call gets 401.
#[server(endpoint = "instances/remove")]
pub async fn remove_instance(id: i64) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::instances::remove(&state.db, &actor, id, state.now()).await
}
