//! The page of a one-time sign-in link (`/welcome?link=…`): the invited user, or one whose password
//! was reset, sets their own password, then signs in.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::users::{get_link_info, SetPassword};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::format;

#[component]
pub fn WelcomePage() -> impl IntoView {
    let query = use_query_map();
    let link = Memo::new(move |_| query.read().get("link").unwrap_or_default());
    let info = Resource::new(move || link.get(), get_link_info);
    let set = ServerAction::<SetPassword>::new();
    let error = action_error(&set);
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.for_field(field).is_some())
                .to_string()
        }
    };
    view! {
        <Title text="Set your password" />
        <main class="login-page" id="main">
            <div class="card login-card">
                <h1>"Set your password"</h1>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(info) => Either::Left(view! {
                                <p class="muted">
                                    {format!("Welcome, {}. Choose the password you will sign in with (this link works until {}).",
                                        info.username, format::minute(info.expires_at))}
                                </p>
                                <FormError error />
                                <ActionForm action=set attr:novalidate=true>
                                    <input type="hidden" name="link" value=link.get_untracked() />
                                    <input type="text" name="username" autocomplete="username" value=info.username.clone()
                                        hidden readonly />
                                    <div class="field">
                                        <label for="new-password">"New Password"</label>
                                        <input id="new-password" name="new_password" type="password" autocomplete="new-password"
                                            required autofocus aria-invalid=invalid("new_password")
                                            aria-describedby="new-password-hint new-password-error" />
                                        <p class="hint" id="new-password-hint">"At least 12 characters; not a common password."</p>
                                        <FieldError error field="new_password" id="new-password" />
                                    </div>
                                    <div class="field">
                                        <label for="confirm-password">"Confirm Password"</label>
                                        <input id="confirm-password" name="confirm_password" type="password" autocomplete="new-password"
                                            required aria-invalid=invalid("confirm_password")
                                            aria-describedby="confirm-password-error" />
                                        <FieldError error field="confirm_password" id="confirm-password" />
                                    </div>
                                    <FieldError error field="link" id="link" />
                                    <button type="submit" class="button button-primary button-block">"Set Password"</button>
                                </ActionForm>
                            }),
                            Err(error) => Either::Right(view! {
                                <LoadError error />
                                <p><a href="/login">"Go to sign-in"</a></p>
                            }),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}
