//! Product instances: `/virtual-accounts/{id}/product-instances` (search, sort, cursor paging),
//! `/product-instances/{id}` (get, remove) and `/product-instances/transfer` (one or many).

use app::model::{InstanceQuery, InstanceSort, SortDir};
use app::services::{instances, pools};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiJson, ApiPath, ApiQuery, Caller, Db};
use super::paging::PageParams;
use super::types::{
    InstanceTransferRequest, InstanceTransferResult, PoolName, ProductInstanceDetail,
    ProductInstancePage,
};
use super::RestState;

/// The most instances one transfer request moves.
const MAX_INSTANCES: usize = 500;

/// What a product instance list is ordered by.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstanceOrder {
    #[default]
    Hostname,
    Serial,
    LastContact,
    Registered,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// The Product Instances tab's search and order.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstanceFilter {
    /// Only instances with this anywhere in hostname, serial number, PID or product, whatever the
    /// case.
    #[serde(default)]
    pub search: String,
    /// Only instances in this status.
    #[serde(default)]
    #[param(value_type = Option<app::protocol::InstanceStatus>)]
    pub status: Option<app::protocol::InstanceStatus>,
    /// The order (with the id last): `hostname` (default), `serial`, `last_contact`, `registered`.
    #[serde(default)]
    pub sort: InstanceOrder,
    /// `asc` (default) or `desc`.
    #[serde(default)]
    pub dir: Direction,
}

/// A virtual account's product instances, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}/product-instances", tag = "Product instances", operation_id = "listProductInstances",
    params(("id" = i64, Path, description = "The virtual account's id"), InstanceFilter, PageParams),
    responses(
        (status = 200, description = "A page of product instances", body = ProductInstancePage),
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
    ApiQuery(filter): ApiQuery<InstanceFilter>,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<ProductInstancePage>, ApiError> {
    let limit = paging.limit()? as u64;
    let after: Option<String> = paging.after()?;
    let query = InstanceQuery {
        pool: id,
        search: filter.search,
        status: filter.status,
        sort: match filter.sort {
            InstanceOrder::Hostname => InstanceSort::Hostname,
            InstanceOrder::Serial => InstanceSort::Serial,
            InstanceOrder::LastContact => InstanceSort::LastContact,
            InstanceOrder::Registered => InstanceSort::Registered,
        },
        dir: match filter.dir {
            Direction::Asc => SortDir::Asc,
            Direction::Desc => SortDir::Desc,
        },
        after,
        before: None,
        limit: Some(limit),
    };
    let now = s.app.now();
    let page = on_db!(db, |c| instances::list(c, &caller.actor, query, now).await).map_err(
        |e| match e {
            // The service's own cursor travels inside ours: a bad one is a bad cursor.
            app::error::AppError::Validation { .. } => {
                ApiError::invalid("cursor", "This cursor was not given by this list.")
            }
            other => other.into(),
        },
    )?;
    Ok(Json(ProductInstancePage {
        data: page.rows.into_iter().map(Into::into).collect(),
        next: page.next.map(|n| super::paging::encode(&n)),
    }))
}

/// One product instance in full.
#[utoipa::path(
    get, path = "/api/v1/product-instances/{id}", tag = "Product instances", operation_id = "getProductInstance",
    params(("id" = i64, Path, description = "The product instance's id")),
    responses(
        (status = 200, description = "The product instance", body = ProductInstanceDetail),
        (status = 404, description = "No such product instance in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProductInstanceDetail>, ApiError> {
    let now = s.app.now();
    let detail = on_db!(db, |c| instances::detail(c, &caller.actor, id, now).await)?;
    Ok(Json(detail.into()))
}

/// Moves one or several product instances, with their usage, to one virtual account: all of them or
/// none.
#[utoipa::path(
    post, path = "/api/v1/product-instances/transfer", tag = "Product instances", operation_id = "transferProductInstances",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = InstanceTransferRequest,
    responses(
        (status = 200, description = "Every instance was moved", body = InstanceTransferResult),
        (status = 400, description = "A bad field (`field` names it); nothing moved", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "An instance not in the key's reach; nothing moved", body = ApiErrorBody),
        (status = 422, description = "The Idempotency-Key was used with another request", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn transfer(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiJson(req): ApiJson<InstanceTransferRequest>,
) -> Result<Json<InstanceTransferResult>, ApiError> {
    if req.instances.is_empty() || req.instances.len() > MAX_INSTANCES {
        return Err(ApiError::invalid(
            "instances",
            format!("Give 1 to {MAX_INSTANCES} product instance ids."),
        ));
    }
    let now = s.app.now();
    let to = on_db!(db, |c| {
        let to = pools::find_visible(c, &caller.actor, req.to)
            .await
            .map_err(|_| ApiError::invalid("to", "Pick a virtual account you may change."))?;
        instances::transfer_many(c, &caller.actor, &req.instances, req.to, now)
            .await
            .map_err(|(i, e)| {
                let mut api = ApiError::from(e);
                api.field = api.field.map(|f| match f.as_str() {
                    "target" => "to".to_owned(),
                    _ => format!("instances[{i}]"),
                });
                api
            })?;
        Ok::<_, ApiError>(to)
    })?;
    Ok(Json(InstanceTransferResult {
        transferred: req.instances,
        to: PoolName {
            id: to.id,
            name: to.name,
        },
    }))
}

/// Removes a product instance: its licenses are released and its credential stops working.
#[utoipa::path(
    delete, path = "/api/v1/product-instances/{id}", tag = "Product instances", operation_id = "removeProductInstance",
    params(("id" = i64, Path, description = "The product instance's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such product instance in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn remove(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let now = s.app.now();
    on_db!(db, |c| instances::remove(c, &caller.actor, id, now).await)?;
    Ok(StatusCode::NO_CONTENT)
}
