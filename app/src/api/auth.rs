//! Sign in, sign out, and who is signed in.

use leptos::prelude::*;

use crate::error::AppError;

/// Signs in with a username and password; on success the session id is cycled and the browser goes
/// to the Inventory.
#[server(endpoint = "auth/login")]
pub async fn login(
    #[server(flatten)] credentials: crate::model::Credentials,
) -> Result<(), AppError> {
    use crate::services::auth;
    use crate::state::{AppState, ClientAddr};

    let state = expect_context::<AppState>();
    let session = super::session::session().await?;
    let addr = leptos_axum::extract::<axum::Extension<ClientAddr>>()
        .await
        .map(|axum::Extension(ClientAddr(a))| a)
        .unwrap_or_else(|_| "unknown".to_owned());
    let user_id = auth::sign_in(
        &state.db,
        &state.hasher,
        &credentials.username,
        &credentials.password,
        &addr,
        state.now(),
    )
    .await?;
    session.cycle_id().await?;
    session.insert(super::session::USER_ID, user_id).await?;
    session
        .insert(super::session::SIGNED_IN_AT, chrono::Utc::now().timestamp())
        .await?;
    tracing::info!(user_id, client = %addr, "signed in");
    leptos_axum::redirect("/inventory");
    Ok(())
}

/// Ends the session on the server and goes back to the sign-in page.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = super::session::session().await?;
    session.flush().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user with the pools they see, or None when nobody is signed in.
#[server(endpoint = "auth/me")]
pub async fn me() -> Result<Option<crate::model::Me>, AppError> {
    use crate::domain::roles::Action;
    use crate::services::{actors, pools};

    let (state, actor) = match super::session::current().await {
        Ok(found) => found,
        Err(AppError::Unauthorized) => return Ok(None),
        Err(other) => return Err(other),
    };
    let (_, account) = actors::load(&state.db, actor.user_id, Some(actor.smart_account_id)).await?;
    Ok(Some(crate::model::Me {
        username: actor.username.clone(),
        smart_account: account.name,
        role: actor.role,
        pools: pools::refs(&state.db, &actor).await?,
        manages_pools: actor.decide(Action::ManagePools) == crate::domain::roles::Decision::Allow,
    }))
}
