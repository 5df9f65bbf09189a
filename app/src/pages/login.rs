//! The sign-in page. Works without JavaScript (a plain form POST answered by a redirect).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::components::errors::{action_error, FieldError, FormError};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = action_error(&login);
    let query = leptos_router::hooks::use_query_map();
    let welcome = move || query.read().get("welcome").filter(|w| !w.is_empty());
    let invalid =
        move |field: &'static str| move || error.get().and_then(|e| e.for_field(field)).is_some();
    view! {
        <Title text="Sign in" />
        <main class="login-page" id="main">
            <div class="card login-card">
                <h1>"Sign in"</h1>
                <p class="muted">"Licensing Portal: licenses, tokens and devices of your smart account."</p>
                <p class="status" role="status">
                    {move || welcome().map(|name| format!("Password set for {name}. Sign in with it."))}
                </p>
                <FormError error />
                <ActionForm action=login>
                    <div class="field">
                        <label for="username">"Username"</label>
                        <input
                            id="username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            required
                            autofocus
                            value=welcome
                            aria-invalid=move || invalid("username")().to_string()
                            aria-describedby="username-error"
                        />
                        <FieldError error field="username" id="username" />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required
                            aria-invalid=move || invalid("password")().to_string()
                            aria-describedby="password-error"
                        />
                        <FieldError error field="password" id="password" />
                    </div>
                    <button type="submit" class="button button-primary button-block">"Sign in"</button>
                </ActionForm>
            </div>
        </main>
    }
}
