//! `GET /reports/{report}.xlsx|csv` with the Reports page's filters: the same export as the browser's
//! (streamed CSV, constant-memory workbook), for the key's user narrowed by the key.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ApiErrorBody};
use super::extract::{ApiPath, Caller};
use super::types::{ReportFile, ReportStatusName};
use super::RestState;

/// A report as a file, with the Reports page's filters in the query string: `va` (a virtual account
/// id, repeatable; all the key sees when absent), `status`, `license`, `from` and `to` (dates).
#[utoipa::path(
    get, path = "/api/v1/reports/{file}", tag = "Reports", operation_id = "exportReport",
    params(
        ("file" = ReportFile, Path, description = "The report and format: `licenses`, `product-instances`, `virtual-accounts`, `license-usage`, `license-usage-history`, `tokens` or `event-log`, then `.xlsx` or `.csv`; `full-inventory.xlsx`"),
        ("va" = Option<Vec<i64>>, Query, description = "Virtual account ids (repeat the parameter); all the key sees when absent"),
        ("status" = Option<ReportStatusName>, Query, description = "A status of the report's rows, as the Reports page offers for that report (another answers 400)"),
        ("license" = Option<String>, Query, description = "An entitlement tag"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "The first day (UTC) of the dates the report filters on"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "The last day (UTC)"),
    ),
    responses(
        (status = 200, description = "The file", content(
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("text/csv"),
        )),
        (status = 400, description = "A bad filter, or a virtual account not in the key's reach (`field` names it)", body = ApiErrorBody),
        (status = 404, description = "No such report or format", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn export(
    State(s): State<RestState>,
    caller: Caller,
    ApiPath(file): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    match crate::export::prepare_for(
        &s.app,
        &caller.actor,
        caller.account_name,
        &file,
        query.as_deref().unwrap_or(""),
    )
    .await
    {
        Ok(response) => response,
        Err(err) => ApiError::from(err).into_response(),
    }
}
