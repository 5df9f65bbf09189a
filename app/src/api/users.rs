//! The Users page (account admins) and the one-time sign-in links.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    IssuedLink, LinkInfo, SetPasswordForm, UserForm, UserIdForm, UserPage, UserQuery,
};

/// The portal's address as the browser uses it: `--public-url`, else the request's host.
#[cfg(feature = "ssr")]
pub(crate) fn base_url(state: &crate::state::AppState) -> String {
    if let Some(origin) = &state.settings.public_origin {
        return origin.clone();
    }
    let host = use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let scheme = if state.settings.https {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

#[cfg(feature = "ssr")]
fn issued(
    state: &crate::state::AppState,
    issued: crate::services::access::Issued,
) -> Option<IssuedLink> {
    issued.secret.map(|secret| IssuedLink {
        username: issued.username,
        url: format!(
            "{}{}?link={secret}",
            base_url(state),
            crate::services::sign_in_links::PATH
        ),
        expires_at: issued.expires_at,
    })
}

/// One page of the account's users.
#[server(endpoint = "users/list")]
pub async fn list_users(#[server(flatten)] query: UserQuery) -> Result<UserPage, AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::access::list(&state.db, &actor, &query).await
}

/// Adds a user; a new one gets a sign-in link, shown once (None: they already have a password).
#[server(endpoint = "users/add")]
pub async fn add_user(
    #[server(flatten)] form: UserForm,
    form_id: Option<String>,
) -> Result<Option<IssuedLink>, AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "users/add", form_id, |db| {
        crate::services::access::add(db, &actor, &form, state.now())
            .await
            .map(|made| issued(&state, made))
    })
}

/// Changes a user's role and virtual accounts.
#[server(endpoint = "users/update")]
pub async fn update_user(#[server(flatten)] form: UserForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::access::update(&state.db, &actor, &form, state.now()).await?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Disables a user: their sessions in the account end at once.
#[server(endpoint = "users/disable")]
pub async fn disable_user(#[server(flatten)] form: UserIdForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::access::set_disabled(&state.db, &actor, form.id, true, state.now()).await
}

/// Enables a disabled user again.
#[server(endpoint = "users/enable")]
pub async fn enable_user(#[server(flatten)] form: UserIdForm) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    crate::services::access::set_disabled(&state.db, &actor, form.id, false, state.now()).await
}

/// A new one-time sign-in link for a user; their password and sessions end.
#[server(endpoint = "users/reset-password")]
pub async fn reset_password(
    #[server(flatten)] form: UserIdForm,
    form_id: Option<String>,
) -> Result<Option<IssuedLink>, AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "users/reset-password", form_id, |db| {
        crate::services::access::reset_password(db, &actor, form.id, state.now())
            .await
            .map(|made| issued(&state, made))
    })
}

/// Removes a user from the account.
#[server(endpoint = "users/remove")]
pub async fn remove_user(
    #[server(flatten)] form: UserIdForm,
    form_id: Option<String>,
) -> Result<(), AppError> {
    let (state, actor) = super::session::current().await?;
    super::once!(state, actor, "users/remove", form_id, |db| {
        crate::services::access::remove(db, &actor, form.id, state.now()).await
    })?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Whose sign-in link this is (no session needed).
#[server(endpoint = "links/info")]
pub async fn get_link_info(link: String) -> Result<LinkInfo, AppError> {
    let state = expect_context::<crate::state::AppState>();
    crate::services::sign_in_links::info(&state.db, &link, state.now()).await
}

/// Sets the password on a sign-in link; the browser then goes to the sign-in page.
#[server(endpoint = "links/set-password")]
pub async fn set_password(#[server(flatten)] form: SetPasswordForm) -> Result<(), AppError> {
    let state = expect_context::<crate::state::AppState>();
    let username = crate::services::sign_in_links::set_password(
        &state.db,
        &state.hasher,
        &form.link,
        &form.new_password,
        &form.confirm_password,
        state.now(),
    )
    .await?;
    leptos_axum::redirect(&crate::links::href("/login", &[("welcome", username)]));
    Ok(())
}
