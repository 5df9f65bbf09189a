//! The Event Log.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{EventPage, EventQuery};

/// A page of a pool's events, newest first, filtered by kind and text (in the message or the actor).
#[server(endpoint = "events/list")]
pub async fn list_events(#[server(flatten)] query: EventQuery) -> Result<EventPage, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::events::list(&state.db, &actor, query).await
}
