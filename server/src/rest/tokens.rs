//! Registration tokens: `/virtual-accounts/{id}/tokens` (list, create) and `/tokens/{id}` (revoke,
//! delete).

use app::domain::tokens::{NewToken as DomainToken, NewTokenForm};
use app::services::tokens;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiJson, ApiPath, ApiQuery, Caller, Db};
use super::paging::{encode, PageParams};
use super::types::{NewToken, RevokeToken, Token, TokenPage};
use super::RestState;

/// A virtual account's tokens, newest first.
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}/tokens", tag = "Tokens", operation_id = "listTokens",
    params(("id" = i64, Path, description = "The virtual account's id"), PageParams),
    responses(
        (status = 200, description = "A page of tokens, newest first", body = TokenPage),
        (status = 400, description = "A bad `limit` or `cursor`", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<TokenPage>, ApiError> {
    let limit = paging.limit()?;
    let before: Option<i64> = paging.after()?;
    let now = s.app.now();
    let mut rows = on_db!(db, |c| {
        tokens::page(c, &caller.actor, id, before, limit as u64 + 1, now).await
    })?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|t| encode(&t.id))
    } else {
        None
    };
    Ok(Json(TokenPage {
        data: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// Creates a token for the virtual account; the answer carries the whole token.
#[utoipa::path(
    post, path = "/api/v1/virtual-accounts/{id}/tokens", tag = "Tokens", operation_id = "createToken",
    params(
        ("id" = i64, Path, description = "The virtual account's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body answer the same token"),
    ),
    request_body = NewToken,
    responses(
        (status = 201, description = "Created", body = Token),
        (status = 400, description = "A bad field (`field` names it)", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
        (status = 422, description = "The Idempotency-Key was used with another request", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<Response, ApiError> {
    let form = DomainToken::try_from(NewTokenForm {
        description: new.description,
        expire_days: new.expires_after_days.to_string(),
        max_uses: new.max_uses.map(|m| m.to_string()).unwrap_or_default(),
        allow_export_controlled: new.allow_export_controlled.then(|| "on".to_owned()),
    })
    .map_err(|e| {
        let field = match e.field.as_str() {
            "expire_days" => "expires_after_days".to_owned(),
            other => other.to_owned(),
        };
        ApiError::invalid(field, e.message)
    })?;
    let now = s.app.now();
    let row = on_db!(db, |c| tokens::create(c, &caller.actor, id, form, now)
        .await)?;
    Ok((StatusCode::CREATED, Json(Token::from(row))).into_response())
}

/// Revokes a token with a reason; devices registered with it stay registered.
#[utoipa::path(
    post, path = "/api/v1/tokens/{id}/revoke", tag = "Tokens", operation_id = "revokeToken",
    params(
        ("id" = i64, Path, description = "The token's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = RevokeToken,
    responses(
        (status = 200, description = "The token, revoked", body = Token),
        (status = 400, description = "A bad reason", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such token in the key's reach", body = ApiErrorBody),
        (status = 409, description = "Already revoked", body = ApiErrorBody),
        (status = 422, description = "The Idempotency-Key was used with another request", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn revoke(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RevokeToken>,
) -> Result<Json<Token>, ApiError> {
    let now = s.app.now();
    let row = on_db!(db, |c| {
        tokens::revoke(c, &caller.actor, id, &body.reason, now).await?;
        tokens::get(c, &caller.actor, id, now).await
    })?;
    Ok(Json(row.into()))
}

/// Deletes a token; devices registered with it stay registered.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "Tokens", operation_id = "deleteToken",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "No such token in the key's reach", body = ApiErrorBody),
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
    on_db!(db, |c| tokens::delete(c, &caller.actor, id, now).await)?;
    Ok(StatusCode::NO_CONTENT)
}
