//! The Licenses tab: the list, one license in detail, and transfers between virtual accounts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    LicenseDetail, LicenseInPool, LicensePage, LicenseQuery, LicenseTransferForm, TransferDone,
};

/// A page of the licenses a virtual account holds or uses, filtered by text (in tag, name and
/// family) and sorted by a column.
#[server(endpoint = "licenses/list")]
pub async fn list_licenses(
    #[server(flatten)] query: LicenseQuery,
) -> Result<LicensePage, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::list(&state.db, &actor, query, state.now()).await
}

/// One license in a virtual account: lots, usage per virtual account, instances, transfers.
#[server(endpoint = "licenses/detail")]
pub async fn get_license(
    #[server(flatten)] which: LicenseInPool,
) -> Result<LicenseDetail, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::detail(&state.db, &actor, which.pool, which.license, state.now())
        .await
}

/// Moves licenses from a pool to another virtual account, then shows the pool's licenses again.
#[server(endpoint = "licenses/transfer")]
pub async fn transfer_licenses(
    #[server(flatten)] form: LicenseTransferForm,
) -> Result<TransferDone, AppError> {
    let (state, actor) = super::session::current().await?;
    let pool = form.from.pool;
    let done = crate::services::licenses::transfer(&state.db, &actor, form, state.now()).await?;
    leptos_axum::redirect(&crate::links::Tab::Licenses.href(pool));
    Ok(done)
}
