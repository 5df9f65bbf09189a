//! The Licenses tab: the list, one license in detail, and transfers between virtual accounts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{LicenseDetail, LicensePage, TransferDone};

/// A page of the licenses a virtual account holds or uses, filtered by text (in tag, name and
/// family) and sorted by a column (`LicenseSort` names; `dir=desc` reverses).
#[server(endpoint = "licenses/list")]
pub async fn list_licenses(
    pool: i64,
    q: String,
    sort: String,
    dir: String,
    page: u64,
) -> Result<LicensePage, AppError> {
    use crate::model::LicenseSort;
    use crate::services::licenses::{self, LicenseQuery};

    let (state, actor) = super::session::current().await?;
    let query = LicenseQuery {
        pool,
        text: q,
        sort: LicenseSort::parse(&sort),
        descending: dir == "desc",
        page,
    };
    licenses::list(&state.db, &actor, query, state.now()).await
}

/// One license in a virtual account: lots, usage per virtual account, instances, transfers.
#[server(endpoint = "licenses/detail")]
pub async fn get_license(pool: i64, license: i64) -> Result<LicenseDetail, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::licenses::detail(&state.db, &actor, pool, license, state.now()).await
}

/// Moves `quantity` licenses from `pool` to the virtual account `target`, then shows the list again.
#[server(endpoint = "licenses/transfer")]
pub async fn transfer_licenses(
    pool: i64,
    license: i64,
    target: String,
    quantity: String,
) -> Result<TransferDone, AppError> {
    use crate::services::licenses::{self, TransferRequest};

    let (state, actor) = super::session::current().await?;
    let request = TransferRequest {
        pool,
        license_id: license,
        target: &target,
        quantity: &quantity,
    };
    let done = licenses::transfer(&state.db, &actor, request, state.now()).await?;
    leptos_axum::redirect(&format!("/inventory?va={pool}&tab=licenses"));
    Ok(done)
}
