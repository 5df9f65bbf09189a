//! The user's own account: password, sessions, two-factor sign-in; and the account admin's
//! two-factor requirement for everyone.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    AccountInfo, ChangePasswordForm, CodeForm, RequireTwoFactorForm, SessionIdForm, TwoFactorSetup,
};

/// The signed-in user, their two-factor state and their sessions.
#[server(endpoint = "account/info")]
pub async fn get_account_info() -> Result<AccountInfo, AppError> {
    let (state, actor, session) = super::session::current_any_and_session().await?;
    let (_, session_id) = super::session::signed_in(&session).await?;
    crate::services::own_account::info(&state.db, &actor, &session_id).await
}

/// Changes the password (the current one required); every other session ends.
#[server(endpoint = "account/change-password")]
pub async fn change_password(#[server(flatten)] form: ChangePasswordForm) -> Result<(), AppError> {
    let (state, actor, session) = super::session::current_any_and_session().await?;
    let (_, session_id) = super::session::signed_in(&session).await?;
    crate::services::own_account::change_password(
        &state.db,
        &state.hasher,
        &actor,
        &session_id,
        &form,
        state.now(),
    )
    .await
}

/// Ends every session of the user but this one; returns how many ended.
#[server(endpoint = "account/sign-out-others")]
pub async fn sign_out_others() -> Result<u64, AppError> {
    let (state, actor, session) = super::session::current_any_and_session().await?;
    let (_, session_id) = super::session::signed_in(&session).await?;
    crate::services::sessions::end_all(&state.db, actor.user_id, Some(&session_id)).await
}

/// Ends one of the user's sessions.
#[server(endpoint = "account/revoke-session")]
pub async fn revoke_session(#[server(flatten)] form: SessionIdForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::sessions::revoke(&state.db, actor.user_id, &form.id).await?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Starts two-factor enrolment: a new secret, as text and QR code.
#[server(endpoint = "account/two-factor/start")]
pub async fn start_two_factor() -> Result<TwoFactorSetup, AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::two_factor::start(&state.db, actor.user_id).await
}

/// Confirms enrolment with a code; returns the ten recovery codes (shown once).
#[server(endpoint = "account/two-factor/confirm")]
pub async fn confirm_two_factor(
    #[server(flatten)] form: CodeForm,
) -> Result<Vec<String>, AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::two_factor::confirm(&state.db, actor.user_id, &form.code, state.now()).await
}

/// New recovery codes in place of the old ones (a current or recovery code required); returns them
/// (shown once).
#[server(endpoint = "account/two-factor/recovery-codes")]
pub async fn new_recovery_codes(
    #[server(flatten)] form: CodeForm,
) -> Result<Vec<String>, AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::two_factor::regenerate_recovery_codes(
        &state.db,
        actor.user_id,
        &form.code,
        state.now(),
    )
    .await
}

/// Turns two-factor sign-in off (a current or recovery code required).
#[server(endpoint = "account/two-factor/off")]
pub async fn turn_off_two_factor(#[server(flatten)] form: CodeForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::two_factor::turn_off(&state.db, actor.user_id, &form.code, state.now())
        .await?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// Requires (or stops requiring) two-factor sign-in of everyone in the smart account.
#[server(endpoint = "account/require-two-factor")]
pub async fn require_two_factor(
    #[server(flatten)] form: RequireTwoFactorForm,
) -> Result<(), AppError> {
    let (state, actor) = super::session::current_any().await?;
    crate::services::own_account::require_two_factor(
        &state.db,
        &actor,
        form.require.is_some(),
        state.now(),
    )
    .await?;
    leptos_axum::redirect("/account");
    Ok(())
}
