//! `/alerts` (what needs action, most severe first) and `/virtual-accounts/{id}/events` (the audit
//! log, newest first).

use app::model::{AlertQuery, EventQuery};
use app::services::{alerts, events};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiErrorBody};
use super::extract::{on_db, ApiPath, ApiQuery, Caller, Db};
use super::paging::{encode, page_of, PageParams};
use super::types::{Alert, AlertPage, AlertSeverity, EventKindName, EventPage};
use super::RestState;

/// The Alerts page's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Only this virtual account's alerts (its id); all the key sees when absent.
    pub virtual_account: Option<i64>,
    /// Only alerts of this severity.
    pub severity: Option<AlertSeverity>,
}

/// The alerts of every virtual account the key sees (or of one), most severe first.
#[utoipa::path(
    get, path = "/api/v1/alerts", tag = "Alerts", operation_id = "listAlerts",
    params(AlertParams, PageParams),
    responses(
        (status = 200, description = "A page of alerts, most severe first", body = AlertPage),
        (status = 400, description = "A bad parameter", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    State(s): State<RestState>,
    caller: Caller,
    db: Db,
    ApiQuery(params): ApiQuery<AlertParams>,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<AlertPage>, ApiError> {
    paging.limit()?;
    let severity = params.severity.map(|s| match s {
        AlertSeverity::Major => "major",
        AlertSeverity::Minor => "minor",
        AlertSeverity::Informational => "informational",
    });
    let filter = alerts::AlertFilter::try_from(AlertQuery {
        pool: params.virtual_account,
        severity: severity.unwrap_or_default().to_owned(),
    })
    .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let now = s.app.now();
    let found = on_db!(db, |c| alerts::list(c, &caller.actor, filter, now).await)?;
    // Alerts are computed afresh on each call: a page is a position in their order.
    let numbered: Vec<(usize, Alert)> = found.into_iter().map(Alert::from).enumerate().collect();
    let page = page_of(numbered, &paging, |(i, _)| *i)?;
    Ok(Json(AlertPage {
        data: page.data.into_iter().map(|(_, a)| a).collect(),
        next: page.next,
    }))
}

/// The kinds of events, by their stable names.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only events of this kind (its stable name, e.g. `license.transferred`).
    #[serde(default)]
    #[param(value_type = Option<EventKindName>)]
    pub kind: String,
    /// Only events whose message or actor contains this text.
    #[serde(default)]
    pub text: String,
}

/// A virtual account's events, newest first (account-wide events too for keys that see every
/// virtual account).
#[utoipa::path(
    get, path = "/api/v1/virtual-accounts/{id}/events", tag = "Events", operation_id = "listEvents",
    params(("id" = i64, Path, description = "The virtual account's id"), EventParams, PageParams),
    responses(
        (status = 200, description = "A page of events, newest first", body = EventPage),
        (status = 400, description = "A bad parameter", body = ApiErrorBody),
        (status = 404, description = "No such virtual account in the key's reach", body = ApiErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn events_list(
    caller: Caller,
    db: Db,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<EventParams>,
    ApiQuery(paging): ApiQuery<PageParams>,
) -> Result<Json<EventPage>, ApiError> {
    let limit = paging.limit()? as u64;
    let before: Option<i64> = paging.after()?;
    let query = EventQuery {
        pool: id,
        account: false,
        from: String::new(),
        to: String::new(),
        kind: params.kind,
        text: params.text,
        before,
        limit: Some(limit),
    };
    let page = on_db!(db, |c| events::list(c, &caller.actor, query).await)?;
    Ok(Json(EventPage {
        data: page.rows.into_iter().map(Into::into).collect(),
        next: page.older.map(|id| encode(&id)),
    }))
}
