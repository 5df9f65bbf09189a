//! `POST /transfers`: licenses between virtual accounts, one or several moves in one atomic request.

use app::domain::licenses::TransferForm;
use app::model::{LicenseInPool, LicenseTransferForm};
use app::services::licenses;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiJson, Caller, Db};
use super::types::{PoolName, TransferDone, TransferRequest, TransferResult};
use super::RestState;

/// The most moves in one request.
const MAX_MOVES: usize = 100;

/// Moves licenses between virtual accounts: every move, or none. Never takes more than a giver can
/// spare (its active licenses not in use); both virtual accounts must be ones the key may change.
#[utoipa::path(
    post, path = "/api/v1/transfers", tag = "Licenses", operation_id = "transferLicenses",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body answer the first answer again and move nothing more")),
    request_body = TransferRequest,
    responses(
        (status = 201, description = "Every move was made", body = TransferResult),
        (status = 400, description = "A bad move (`field` names it, e.g. `transfers[1].quantity`): an unknown license, a receiver the key may not change, more than the giver can spare; nothing moved", body = ApiErrorBody),
        (status = 403, description = "The key or the role does not allow it", body = ApiErrorBody),
        (status = 404, description = "A giving virtual account not in the key's reach; nothing moved", body = ApiErrorBody),
        (status = 422, description = "The Idempotency-Key was used with another request", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<Response, ApiError> {
    if req.transfers.is_empty() || req.transfers.len() > MAX_MOVES {
        return Err(ApiError::invalid(
            "transfers",
            format!("Give 1 to {MAX_MOVES} moves."),
        ));
    }
    let now = s.app.now();
    let done = on_db!(db, |c| {
        let mut forms = Vec::with_capacity(req.transfers.len());
        for (i, t) in req.transfers.iter().enumerate() {
            let license = licenses::find_by_tag(c, &t.license).await.map_err(|_| {
                ApiError::invalid(
                    format!("transfers[{i}].license"),
                    format!("No license {} in the catalogue.", t.license),
                )
            })?;
            forms.push(LicenseTransferForm {
                from: LicenseInPool {
                    pool: t.from,
                    license: license.id,
                },
                fields: TransferForm {
                    target: t.to.to_string(),
                    quantity: t.quantity.to_string(),
                },
            });
        }
        licenses::transfer_many(c, &caller.actor, forms, now)
            .await
            .map_err(|(i, e)| name_move(i, e))
    })?;
    let transfers = done
        .into_iter()
        .zip(&req.transfers)
        .map(|(d, t)| TransferDone {
            id: d.id,
            license: d.tag,
            quantity: d.quantity,
            from: PoolName {
                id: t.from,
                name: d.from_pool,
            },
            to: PoolName {
                id: t.to,
                name: d.to_pool,
            },
        })
        .collect();
    Ok((StatusCode::CREATED, Json(TransferResult { transfers })).into_response())
}

/// A refusal of move `i` names the move's field as the body does (`quantity` →
/// `transfers[1].quantity`, `target` → `transfers[1].to`).
fn name_move(i: usize, err: app::error::AppError) -> ApiError {
    let mut api = ApiError::from(err);
    if let Some(field) = &api.field {
        let mapped = match field.as_str() {
            "target" => "to",
            other => other,
        };
        api.field = Some(format!("transfers[{i}].{mapped}"));
    }
    api
}
