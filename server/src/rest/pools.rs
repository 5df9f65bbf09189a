//! `/virtual-accounts`: list, get, create, update, delete.

use app::services::pools;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiJson, ApiPath, ApiQuery, Caller, Db};
use super::paging::{page_of, PageParams};
use super::types::{NewVirtualAccount, VirtualAccount, VirtualAccountChange, VirtualAccountPage};
use super::RestState;

/// The virtual accounts the key sees, default first, then by name.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts", tag = "Virtual accounts", operation_id = "listVirtualAccounts",
    params(PageParams),
    responses(
        (status = 200, description = "A page of virtual accounts", body = VirtualAccountPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<VirtualAccountPage>, ApiError> {
    let rows = on_db!(db, |c| pools::list(c, &caller.actor, s.app.now()).await)?;
    // Default first, then by name: the position is (not default, name, id).
    let page = page_of(rows, &paging, |p| (!p.is_default, p.name.clone(), p.id))?;
    Ok(Json(VirtualAccountPage {
        data: page.data.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// One virtual account.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}", tag = "Virtual accounts", operation_id = "getVirtualAccount",
    params(("id" = i64, Path, description = "The virtual account's id")),
    responses(
        (status = 200, description = "The virtual account", body = VirtualAccount),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VirtualAccount>, ApiError> {
    on_db!(db, |c| one(c, &caller, id, &s).await).map(Json)
}

async fn one(
    db: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    id: i64,
    s: &RestState,
) -> Result<VirtualAccount, ApiError> {
    pools::find_visible(db, &caller.actor, id).await?;
    pools::list(db, &caller.actor, s.app.now())
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .map(Into::into)
        .ok_or_else(ApiError::not_found)
}

/// Creates a virtual account (account-wide keys with write scope of account admins and users).
#[utoipa::path(
    post, path = "/api/v1/virtual-accounts", tag = "Virtual accounts", operation_id = "createVirtualAccount",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body answer the first answer again")),
    request_body = NewVirtualAccount,
    responses(
        (status = 201, description = "Created", body = VirtualAccount),
        (status = 400, description = "A bad field (`field` names it)", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 422, description = "The Idempotency-Key was used with another request", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiJson(new): ApiJson<NewVirtualAccount>,
) -> Result<Response, ApiError> {
    let now = s.app.now();
    let row = on_db!(db, |c| pools::create(
        c,
        &caller.actor,
        &new.name,
        &new.description,
        now
    )
    .await)?;
    Ok((StatusCode::CREATED, Json(VirtualAccount::from(row))).into_response())
}

/// Renames, describes or makes default a virtual account (absent fields stay as they are).
#[utoipa::path(
    patch, path = "/api/v1/virtual-accounts/{id}", tag = "Virtual accounts", operation_id = "updateVirtualAccount",
    params(("id" = i64, Path, description = "The virtual account's id")),
    request_body = VirtualAccountChange,
    responses(
        (status = 200, description = "The virtual account as it is now", body = VirtualAccount),
        (status = 400, description = "A bad field (`field` names it)", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn update(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<VirtualAccountChange>,
) -> Result<Json<VirtualAccount>, ApiError> {
    let now = s.app.now();
    on_db!(db, |c| {
        let current = pools::find_visible(c, &caller.actor, id).await?;
        if change.name.is_some() || change.description.is_some() {
            let name = change.name.as_deref().unwrap_or(&current.name);
            let description = change
                .description
                .as_deref()
                .unwrap_or(&current.description);
            pools::update(c, &caller.actor, id, name, description, now).await?;
        }
        match change.is_default {
            Some(true) if !current.is_default => {
                pools::set_default(c, &caller.actor, id, now).await?
            }
            Some(false) if current.is_default => {
                return Err(ApiError::invalid(
                    "is_default",
                    "Make another virtual account the default instead.",
                ))
            }
            _ => {}
        }
        one(c, &caller, id, &s).await
    })
    .map(Json)
}

/// Deletes an empty virtual account (not the default one).
#[utoipa::path(
    delete, path = "/api/v1/virtual-accounts/{id}", tag = "Virtual accounts", operation_id = "deleteVirtualAccount",
    params(("id" = i64, Path, description = "The virtual account's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
        (status = 409, description = "It is the default one, or it still holds licenses, tokens or devices", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn delete(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let now = s.app.now();
    on_db!(db, |c| pools::delete(c, &caller.actor, id, now).await)?;
    Ok(StatusCode::NO_CONTENT)
}
