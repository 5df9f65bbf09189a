//! Alerts: the list of the Alerts page and the count of the navigation's badge.

use leptos::prelude::*;

use crate::domain::alerts::Alert;
use crate::error::AppError;
use crate::model::AlertQuery;

/// The alerts of the virtual accounts the user sees (or of one pool), most severe first, optionally
/// of one severity.
#[server(endpoint = "alerts/list")]
pub async fn list_alerts(#[server(flatten)] query: AlertQuery) -> Result<Vec<Alert>, AppError> {
    use crate::services::alerts::{self, AlertFilter};

    let (state, actor) = super::session::current().await?;
    let filter = AlertFilter::try_from(query)?;
    alerts::list(&state.db, &actor, filter, state.now()).await
}

/// How many alerts the user has across every virtual account they see.
#[server(endpoint = "alerts/count")]
pub async fn count_alerts() -> Result<u64, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::alerts::count(&state.db, &actor, state.now()).await
}
