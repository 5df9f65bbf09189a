//! The frame of every signed-in page: header with the smart and virtual account, navigation, sign out.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::auth::{me, Logout};
use crate::components::errors::LoadError;
use crate::components::pool_selector::PoolSelector;
use crate::error::AppError;
use crate::model::Me;

/// Bumped after any change to the pools, so that the header's selector reloads them.
#[derive(Clone, Copy)]
pub struct PoolsVersion(pub RwSignal<usize>);

/// Loads the signed-in user before rendering (a blocking resource, so that the server answers a
/// redirect to the sign-in page when nobody is signed in), then provides `Me` to the pages.
#[component]
pub fn AppLayout() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let me = Resource::new_blocking(|| (), |_| me());
    provide_context(PoolsVersion(RwSignal::new(0)));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.must_enrol && location.pathname.get_untracked() != "/account" => {
                        EitherOf4::D(view! { <Redirect path="/account" /> })
                    }
                    Ok(Some(me)) => {
                        provide_context(me.clone());
                        EitherOf4::A(view! {
                            <Header me />
                            <main id="main" class="page">
                                <Outlet />
                            </main>
                            <footer class="footer">
                                <nav aria-label="Footer">
                                    <A href="/api-reference">"API"</A>
                                </nav>
                            </footer>
                        })
                    }
                    Ok(None) | Err(AppError::Unauthorized) => {
                        EitherOf4::B(view! { <Redirect path="/login" /> })
                    }
                    Err(error) => EitherOf4::C(view! { <main class="page"><LoadError error /></main> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Header(me: Me) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let role = me.role.label();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="topbar-row">
                <a class="brand" href="/overview">"Licensing Portal"</a>
                <div class="account-context">
                    <span class="smart-account" title=format!("Smart account: {}", me.smart_account)>{me.smart_account.clone()}</span>
                    <span class="separator" aria-hidden="true">"›"</span>
                    <PoolSelector me=me.clone() />
                </div>
                {(me.accounts.len() > 1).then(|| view! { <AccountSwitcher me=me.clone() /> })}
                <div class="user-menu">
                    <span class="user-name">{me.username.clone()}</span>
                    <span class="badge badge-neutral">{role}</span>
                    <A href="/account">"Account"</A>
                    <A href="/api-keys">"API Keys"</A>
                    <A href="/help">"Help"</A>
                    <ActionForm action=logout attr:class="inline-form">
                        <button type="submit" class="button button-quiet">"Sign out"</button>
                    </ActionForm>
                </div>
            </div>
            <nav class="mainnav" aria-label="Main">
                <A href="/overview">"Overview"</A>
                <A href="/inventory">"Inventory"</A>
                <A href="/virtual-accounts">"Virtual Accounts"</A>
                <A href="/reports">"Reports"</A>
                <A href="/alerts">"Alerts" <AlertBadge /></A>
                {me.manages_users.then(|| view! { <A href="/users">"Users"</A> })}
                {me.manages_users.then(|| view! { <A href="/satellites">"Satellites"</A> })}
                {me.manages_users.then(|| view! { <A href="/events">"Event Log"</A> })}
                {me.has_traditional.then(|| view! { <A href="/traditional-licenses">"Traditional Licenses"</A> })}
            </nav>
        </header>
    }
}

/// Switches to another smart account of the user: a select that submits on change, and a button for
/// keyboards and pages without JavaScript.
#[component]
fn AccountSwitcher(me: Me) -> impl IntoView {
    let switch = ServerAction::<crate::api::auth::SwitchAccount>::new();
    load_inventory_after(switch);
    let options = me
        .accounts
        .iter()
        .map(|a| {
            view! { <option value=a.id.to_string() selected=a.id == me.smart_account_id>{a.name.clone()}</option> }
        })
        .collect_view();
    let submit_on_change = |ev: leptos::ev::Event| {
        let select = event_target::<web_sys::HtmlSelectElement>(&ev);
        if let Some(form) = select.form() {
            let _ = form.request_submit();
        }
    };
    view! {
        <ActionForm action=switch attr:class="inline-form account-switcher">
            <label for="switch-account" class="sr-only">"Smart account"</label>
            <select id="switch-account" name="id" on:change=submit_on_change>{options}</select>
            <button type="submit" class="button button-small">"Switch"</button>
        </ActionForm>
    }
}

/// After a successful switch of smart account, loads the Overview afresh: everything on the page
/// (the header's account, pools and role) belongs to the account just left.
pub fn load_inventory_after(switch: ServerAction<crate::api::auth::SwitchAccount>) {
    Effect::new(move |_| {
        if matches!(switch.value().get(), Some(Ok(()))) {
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/overview");
            }
        }
    });
}

/// The number of alerts next to "Alerts" in the navigation (nothing when there are none). It is
/// counted again after every navigation, so it follows what the user fixes.
#[component]
fn AlertBadge() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let count = Resource::new(
        move || (location.pathname.get(), location.search.get()),
        |_| crate::api::alerts::count_alerts(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                count.await.ok().filter(|&n| n > 0).map(|n| {
                    let label = if n == 1 { " (1 alert)".to_owned() } else { format!(" ({n} alerts)") };
                    view! {
                        <span class="badge badge-count" aria-hidden="true">{n}</span>
                        <span class="sr-only">{label}</span>
                    }
                })
            })}
        </Transition>
    }
}
