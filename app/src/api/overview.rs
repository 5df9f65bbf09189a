//! The Overview page.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Overview;

/// Every virtual account the user sees with what needs attention, and usage over 90 days.
#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::overview::overview(&state.db, &actor, state.now()).await
}
