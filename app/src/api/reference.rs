//! The API reference page's content (from the OpenAPI document the server read at start).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ApiReference;

/// The REST and device APIs as the reference page shows them.
#[server(endpoint = "api-reference")]
pub async fn load_api_reference() -> Result<ApiReference, AppError> {
    let (state, _) = super::session::current().await?;
    Ok((*state.api_reference).clone())
}
