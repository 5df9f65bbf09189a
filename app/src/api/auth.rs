//! Sign in (password, then the authentication code when the user turned two-factor on), choose or
//! switch the smart account, sign out, and who is signed in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{AccountRef, CodeForm};

#[cfg(feature = "ssr")]
mod flow {
    use tower_sessions::Session;

    use crate::api::session::{
        self, PENDING_AT, PENDING_USER_ID, SESSION_ID, SIGNED_IN_AT, USER_ID,
    };
    use crate::error::AppError;
    use crate::services::sessions::Origin;
    use crate::services::sign_in::{self, Step};
    use crate::state::{AppState, ClientAddr};

    /// The client's address and browser.
    pub async fn origin() -> Origin {
        let address = leptos_axum::extract::<axum::Extension<ClientAddr>>()
            .await
            .map(|axum::Extension(ClientAddr(a))| a)
            .unwrap_or_else(|_| "unknown".to_owned());
        let user_agent = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        Origin {
            address,
            user_agent,
        }
    }

    /// Finishes a sign-in: a new session id, the session's row, and the page to go to.
    pub async fn finish(
        state: &AppState,
        session: &Session,
        user_id: i64,
        step: Step,
    ) -> Result<(), AppError> {
        session.cycle_id().await?;
        match step {
            Step::Code => {
                session.insert(PENDING_USER_ID, user_id).await?;
                session
                    .insert(PENDING_AT, chrono::Utc::now().timestamp())
                    .await?;
                leptos_axum::redirect("/login/code");
            }
            Step::Done {
                smart_account_id,
                choose,
            } => {
                let origin = origin().await;
                let id = sign_in::complete(
                    &state.db,
                    user_id,
                    smart_account_id,
                    &origin,
                    chrono::Utc::now(),
                )
                .await?;
                session.remove::<i64>(PENDING_USER_ID).await?;
                session.insert(USER_ID, user_id).await?;
                session.insert(SESSION_ID, id).await?;
                session
                    .insert(SIGNED_IN_AT, chrono::Utc::now().timestamp())
                    .await?;
                tracing::info!(user_id, client = %origin.address, "signed in");
                leptos_axum::redirect(if choose {
                    "/choose-account"
                } else {
                    "/overview"
                });
            }
        }
        Ok(())
    }

    /// The user who gave a right password and owes the code, within its 5 minutes.
    pub async fn pending(session: &Session) -> Result<i64, AppError> {
        let user = session.get::<i64>(PENDING_USER_ID).await?;
        let at = session.get::<i64>(PENDING_AT).await?.unwrap_or(0);
        match user {
            Some(user) if chrono::Utc::now().timestamp() - at <= session::PENDING_TIMEOUT_SECS => {
                Ok(user)
            }
            _ => Err(AppError::validation(
                "code",
                "Your sign-in took too long. Sign in again with your password.",
            )),
        }
    }
}

/// Signs in with a username and password; on success the session id is cycled and the browser goes
/// to the authentication code, the account choice, or the Inventory.
#[server(endpoint = "auth/login")]
pub async fn login(
    #[server(flatten)] credentials: crate::model::Credentials,
) -> Result<(), AppError> {
    use crate::services::{auth, sign_in};
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let session = super::session::session().await?;
    let origin = flow::origin().await;
    let user_id = auth::sign_in(
        &state.db,
        &state.hasher,
        &credentials.username,
        &credentials.password,
        &origin.address,
        state.now(),
    )
    .await?;
    let (_, step) = sign_in::next_step(&state.db, user_id, false).await?;
    flow::finish(&state, &session, user_id, step).await
}

/// The second step of a sign-in: the code from the authenticator app, or a recovery code. Wrong
/// codes count against the same throttle as wrong passwords.
#[server(endpoint = "auth/code")]
pub async fn sign_in_code(#[server(flatten)] form: CodeForm) -> Result<(), AppError> {
    use crate::domain::throttle::ThrottlePolicy;
    use crate::services::{sign_in, throttle, two_factor};
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let session = super::session::session().await?;
    let user_id = flow::pending(&session).await?;
    if form.code.trim().is_empty() {
        return Err(AppError::validation(
            "code",
            "Enter the code from your app.",
        ));
    }
    let now = state.now();
    let key = format!("code:{user_id}");
    throttle::reserve(
        &state.db,
        &[(&key, ThrottlePolicy::ACCOUNT)],
        now.timestamp(),
    )
    .await?;
    let (found, _) = sign_in::next_step(&state.db, user_id, true).await?;
    if !two_factor::verify(&state.db, &found, &form.code, now).await? {
        return Err(AppError::validation("code", "That code is not right."));
    }
    throttle::clear(&state.db, &key).await?;
    let (_, step) = sign_in::next_step(&state.db, user_id, true).await?;
    flow::finish(&state, &session, user_id, step).await
}

/// The smart accounts the signed-in user may work in.
#[server(endpoint = "auth/accounts")]
pub async fn my_accounts() -> Result<Vec<AccountRef>, AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::sign_in::accounts(&state.db, actor.user_id).await
}

/// Works in another of the user's smart accounts from now on.
#[server(endpoint = "auth/switch")]
pub async fn switch_account(
    #[server(flatten)] form: crate::model::UserIdForm,
) -> Result<(), AppError> {
    use crate::services::{sessions, sign_in};

    let (state, actor, session) = super::session::current_any_and_session().await?;
    let (_, session_id) = super::session::signed_in(&session).await?;
    let accounts = sign_in::accounts(&state.db, actor.user_id).await?;
    if !accounts.iter().any(|a| a.id == form.id) {
        return Err(AppError::NotFound);
    }
    sessions::switch(&state.db, &session_id, form.id).await?;
    leptos_axum::redirect("/overview");
    Ok(())
}

/// Ends the session on the server and goes back to the sign-in page.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let session = super::session::session().await?;
    if let Ok((user_id, id)) = super::session::signed_in(&session).await {
        let _ = crate::services::sessions::revoke(&state.db, user_id, &id).await;
    }
    session.flush().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user with the pools they see, or None when nobody is signed in.
#[server(endpoint = "auth/me")]
pub async fn me() -> Result<Option<crate::model::Me>, AppError> {
    use crate::domain::roles::{Action, Decision};
    use crate::services::{actors, pools, sign_in};

    let (state, actor) = match super::session::current_any().await {
        Ok(found) => found,
        Err(AppError::Unauthorized) => return Ok(None),
        Err(other) => return Err(other),
    };
    let (_, account) = actors::load(&state.db, actor.user_id, Some(actor.smart_account_id)).await?;
    Ok(Some(crate::model::Me {
        username: actor.username.clone(),
        smart_account: account.name,
        smart_account_id: account.id,
        role: actor.role,
        pools: pools::refs(&state.db, &actor).await?,
        manages_pools: actor.decide(Action::ManagePools) == Decision::Allow,
        manages_users: actor.decide(Action::ManageUsers) == Decision::Allow,
        accounts: sign_in::accounts(&state.db, actor.user_id).await?,
        must_enrol: crate::services::own_account::must_enrol(&state.db, &actor).await?,
        has_traditional: crate::services::traditional::any(&state.db, actor.smart_account_id)
            .await?,
    }))
}
