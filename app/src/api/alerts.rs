//! Alerts: the list of the Alerts page and the count of the navigation's badge.

use leptos::prelude::*;

use crate::domain::alerts::Alert;
use crate::error::AppError;

/// The alerts of the virtual accounts the user sees (or of `pool` only), most severe first,
/// optionally of one severity (its stable name; empty for all).
#[server(endpoint = "alerts/list")]
pub async fn list_alerts(pool: Option<i64>, severity: String) -> Result<Vec<Alert>, AppError> {
    use crate::domain::alerts::Severity;
    use crate::services::alerts::{self, AlertFilter};

    let (state, actor) = super::session::current().await?;
    let severity =
        match severity.trim() {
            "" => None,
            name => Some(Severity::parse(name).ok_or_else(|| {
                AppError::validation("severity", "Pick a severity from the list.")
            })?),
        };
    alerts::list(
        &state.db,
        &actor,
        AlertFilter { pool, severity },
        state.now(),
    )
    .await
}

/// How many alerts the user has across every virtual account they see.
#[server(endpoint = "alerts/count")]
pub async fn count_alerts() -> Result<u64, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::alerts::count(&state.db, &actor, state.now()).await
}
