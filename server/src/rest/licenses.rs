//! `/virtual-accounts/{id}/licenses`: what a pool holds and uses per license, and one license in full.

use app::model::{LicenseQuery, LicenseSort, SortDir};
use app::services::licenses;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiPath, ApiQuery, Caller, Db};
use super::paging::{page_of, PageParams};
use super::types::{LicenseDetail, LicensePage};
use super::RestState;

/// The Licenses tab's filter.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenseFilter {
    /// Only licenses whose tag or name contains this text.
    #[serde(default)]
    pub q: String,
}

/// The licenses a virtual account holds or uses, by tag.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}/licenses", tag = "Licenses", operation_id = "listLicenses",
    params(("id" = i64, Path, description = "The virtual account's id"), LicenseFilter, PageParams),
    responses(
        (status = 200, description = "A page of licenses, by tag", body = LicensePage),
        (status = 400, description = "A bad parameter", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(filter): ApiQuery<LicenseFilter>,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<LicensePage>, ApiError> {
    paging.limit()?;
    let now = s.app.now();
    // The tab's pages, by tag, read whole (a pool holds at most as many licenses as the catalogue
    // has tags), then paged by tag so that a cursor stays right when licenses come in between.
    let mut rows = Vec::new();
    let mut page = 1;
    loop {
        let query = LicenseQuery {
            pool: id,
            q: filter.q.clone(),
            sort: LicenseSort::License,
            dir: SortDir::Asc,
            page,
        };
        let got = on_db!(db, |c| licenses::list(c, &caller.actor, query, now).await)?;
        rows.extend(got.rows);
        if got.page >= got.pages {
            break;
        }
        page += 1;
    }
    rows.sort_by(|a, b| a.tag.cmp(&b.tag));
    let page = page_of(rows, &paging, |r| r.tag.clone())?;
    Ok(Json(LicensePage {
        data: page.data.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// One license of a virtual account: its standing, its lots and its usage in every virtual account
/// the key sees.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}/licenses/{tag}", tag = "Licenses", operation_id = "getLicense",
    params(
        ("id" = i64, Path, description = "The virtual account's id"),
        ("tag" = String, Path, description = "The entitlement tag, e.g. A9K-100G-LIC"),
    ),
    responses(
        (status = 200, description = "The license in the virtual account", body = LicenseDetail),
        (status = 404, description = "No such virtual account in reach, or no such license", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath((id, tag)): ApiPath<(i64, String)>,
) -> Result<Json<LicenseDetail>, ApiError> {
    let now = s.app.now();
    let detail = on_db!(db, |c| {
        app::services::pools::find_visible(c, &caller.actor, id).await?;
        let license = licenses::find_by_tag(c, &tag).await?;
        licenses::detail(c, &caller.actor, id, license.id, now).await
    })?;
    Ok(Json(detail.into()))
}
