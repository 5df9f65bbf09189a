//! The signed-in user of the current request, from the session cookie and its `user_sessions` row.

use leptos::prelude::expect_context;
use tower_sessions::Session;

use crate::domain::roles::Actor;
use crate::entities::smart_account;
use crate::error::AppError;
use crate::services::{actors, sessions};
use crate::state::AppState;

/// Session key: the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// Session key: the id of the session's `user_sessions` row (gone: the session has ended).
pub const SESSION_ID: &str = "session_id";
/// Session key: when the user signed in (unix seconds, system time).
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// Session key: a user whose password was right and who still owes the second factor.
pub const PENDING_USER_ID: &str = "pending_user_id";
/// Session key: when the password of the pending user was checked (unix seconds).
pub const PENDING_AT: &str = "pending_at";
/// A session ends 12 hours after sign-in, however active. (Idle expiry, 30 minutes, is the store's.)
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// The second factor must follow the password within 5 minutes.
pub const PENDING_TIMEOUT_SECS: i64 = 5 * 60;

/// The request's session.
pub async fn session() -> Result<Session, AppError> {
    Ok(leptos_axum::extract::<Session>().await?)
}

/// The signed-in actor, or `Unauthorized`; `TwoFactorRequired` while the smart account requires a
/// second factor the user has not set up yet.
pub async fn current() -> Result<(AppState, Actor), AppError> {
    let (state, actor) = current_any().await?;
    if crate::services::own_account::must_enrol(&state.db, &actor).await? {
        return Err(AppError::TwoFactorRequired);
    }
    Ok((state, actor))
}

/// The signed-in actor, even one who still has to set up two-factor sign-in (their own Account
/// page, sign-out, the header).
pub async fn current_any() -> Result<(AppState, Actor), AppError> {
    let (state, actor, _) = current_any_and_session().await?;
    Ok((state, actor))
}

/// `current_any` and the request's session. Everything taken from the request is taken before the
/// first wait: a server function that runs as a page's resource during server rendering may no
/// longer reach the request's context once it has waited (the Account page failed that way, and
/// then rendered otherwise in the browser).
pub async fn current_any_and_session() -> Result<(AppState, Actor, Session), AppError> {
    let state = expect_context::<AppState>();
    let session = session().await?;
    let (actor, _) = actor_of(&state, &session).await?;
    Ok((state, actor, session))
}

/// The signed-in actor and smart account of a session, or `Unauthorized` (ending the session when
/// its row is gone: revoked, signed out elsewhere, password reset, user disabled or removed). Plain
/// axum routes (the exports) use this too.
pub async fn actor_of(
    state: &AppState,
    session: &Session,
) -> Result<(Actor, smart_account::Model), AppError> {
    let (user_id, session_id) = signed_in(session).await?;
    let Some(row) = sessions::check(&state.db, &session_id, user_id, chrono::Utc::now()).await?
    else {
        session.flush().await?;
        return Err(AppError::Unauthorized);
    };
    let loaded = match actors::load(&state.db, user_id, row.smart_account_id).await {
        Err(AppError::Unauthorized) => {
            session.flush().await?;
            return Err(AppError::Unauthorized);
        }
        other => other?,
    };
    Ok(loaded)
}

/// The user id and session row id of a live session, or `Unauthorized` (ending a session past its
/// absolute lifetime). Session lifetimes follow the system time, not the app's clock: moving the dev
/// clock days ahead must not sign the tester out.
pub async fn signed_in(session: &Session) -> Result<(i64, String), AppError> {
    let (Some(user_id), Some(session_id)) = (
        session.get::<i64>(USER_ID).await?,
        session.get::<String>(SESSION_ID).await?,
    ) else {
        return Err(AppError::Unauthorized);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
    if chrono::Utc::now().timestamp() - signed_in_at > ABSOLUTE_TIMEOUT_SECS {
        session.flush().await?;
        return Err(AppError::Unauthorized);
    }
    Ok((user_id, session_id))
}
