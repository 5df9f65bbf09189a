//! The Event Log.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::EventPage;

/// A page of a pool's events, newest first, filtered by kind (its stable name, or empty for all) and
/// text (in the message or the actor).
#[server(endpoint = "events/list")]
pub async fn list_events(
    pool: i64,
    kind: String,
    text: String,
    before: Option<i64>,
) -> Result<EventPage, AppError> {
    use crate::domain::events::EventKind;
    use crate::services::events::{self, EventFilter};

    let (state, actor) = super::session::current().await?;
    let kind = match kind.trim() {
        "" => None,
        name => Some(
            EventKind::parse(name)
                .ok_or_else(|| AppError::validation("kind", "Pick a kind from the list."))?,
        ),
    };
    events::list(
        &state.db,
        &actor,
        EventFilter {
            pool,
            kind,
            text: Some(text),
            before,
        },
    )
    .await
}
