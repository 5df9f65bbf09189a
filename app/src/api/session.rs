//! The signed-in user of the current request, from the session cookie.

use leptos::prelude::expect_context;
use tower_sessions::Session;

use crate::domain::roles::Actor;
use crate::error::AppError;
use crate::services::actors;
use crate::state::AppState;

/// Session key: the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// Session key: when the user signed in (unix seconds, system time).
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// A session ends 12 hours after sign-in, however active. (Idle expiry, 30 minutes, is the store's.)
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

/// The request's session.
pub async fn session() -> Result<Session, AppError> {
    Ok(leptos_axum::extract::<Session>().await?)
}

/// The signed-in actor, or `Unauthorized`.
pub async fn current() -> Result<(AppState, Actor), AppError> {
    let state = expect_context::<AppState>();
    let session = session().await?;
    let user_id = signed_in_user(&session).await?;
    let (actor, _) = actors::load(&state.db, user_id, None).await?;
    Ok((state, actor))
}

/// The user id of a live session, or `Unauthorized` (ending a session past its absolute lifetime).
/// Session lifetimes follow the system time, not the app's clock: moving the dev clock days ahead must
/// not sign the tester out. Plain axum routes (the exports) use this too.
pub async fn signed_in_user(session: &Session) -> Result<i64, AppError> {
    let Some(user_id) = session.get::<i64>(USER_ID).await? else {
        return Err(AppError::Unauthorized);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
    if chrono::Utc::now().timestamp() - signed_in_at > ABSOLUTE_TIMEOUT_SECS {
        session.flush().await?;
        return Err(AppError::Unauthorized);
    }
    Ok(user_id)
}
