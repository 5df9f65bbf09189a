//! The steps after the password: the authentication code (two-factor sign-in), and choosing a smart
//! account when the user belongs to several.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::{my_accounts, SignInCode, SwitchAccount};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};

#[component]
pub fn CodePage() -> impl IntoView {
    let submit = ServerAction::<SignInCode>::new();
    let error = action_error(&submit);
    let invalid = move || {
        error
            .get()
            .is_some_and(|e| e.for_field("code").is_some())
            .to_string()
    };
    view! {
        <Title text="Authentication code" />
        <main class="login-page" id="main">
            <div class="card login-card">
                <h1>"Two-factor sign-in"</h1>
                <p class="muted">"Type the 6-digit code your authenticator app shows, or one of your recovery codes."</p>
                <FormError error />
                <ActionForm action=submit attr:novalidate=true>
                    <div class="field">
                        <label for="code">"Authentication Code"</label>
                        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                            maxlength="20" required autofocus aria-invalid=invalid aria-describedby="code-error" />
                        <FieldError error field="code" id="code" />
                    </div>
                    <button type="submit" class="button button-primary button-block">"Verify"</button>
                </ActionForm>
                <p><a href="/login">"Start again"</a></p>
            </div>
        </main>
    }
}

#[component]
pub fn ChooseAccountPage() -> impl IntoView {
    let accounts = Resource::new(|| (), |_| my_accounts());
    let switch = ServerAction::<SwitchAccount>::new();
    crate::components::layout::load_inventory_after(switch);
    let error = action_error(&switch);
    view! {
        <Title text="Choose a smart account" />
        <h1>"Choose a smart account"</h1>
        <FormError error />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match accounts.await {
                    Ok(list) => Either::Left(view! {
                        <ul class="account-list">
                            {list.into_iter().map(|a| view! {
                                <li>
                                    <ActionForm action=switch attr:class="inline-form">
                                        <input type="hidden" name="id" value=a.id.to_string() />
                                        <button type="submit" class="button">{a.name.clone()}</button>
                                        " "
                                        <span class="muted">{a.role.label()}</span>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Suspense>
    }
}
