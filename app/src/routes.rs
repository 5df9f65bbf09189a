//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::AppLayout;
use crate::pages::inventory::InventoryPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::reports::ReportsPage;
use crate::pages::virtual_accounts::VirtualAccountsPage;

/// The portal's icon: a key on the brand's blue, small enough to travel inline in every page (`#`
/// written `%23`, as a data URL needs).
pub const FAVICON_SVG: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='6' fill='%231d4ed8'/><circle cx='12' cy='16' r='5' fill='none' stroke='white' stroke-width='3'/><path d='M17 16h10v4M23 16v3' fill='none' stroke='white' stroke-width='3'/></svg>";

/// The document around every page, rendered on the server (never hydrated). The stylesheet and the
/// scripts carry the bundle's name, `portal.<hash>` when the build gave the files content-hashed names.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_policy();
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" type="image/svg+xml" href=format!("data:image/svg+xml,{FAVICON_SVG}") />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy of a page: the app's own scripts, styles and wasm, the inline scripts
/// Leptos writes (hydration, resolved resources) by this response's nonce, and nothing else; no
/// framing anywhere.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Puts the page's policy, with the nonce Leptos gave this response, on the response.
#[cfg(feature = "ssr")]
fn page_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The app: every route renders on the server completely before the first byte is sent (`Async`), so
/// that pages work before (and without) hydration and the `<title>` set by a page is always in the head.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| {
            if text.is_empty() { "Licensing Portal".to_owned() } else { format!("{text} · Licensing Portal") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/code") view=crate::pages::sign_in_steps::CodePage ssr=SsrMode::Async />
                <Route path=path!("/welcome") view=crate::pages::welcome::WelcomePage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=crate::pages::home::Home />
                    <Route path=path!("overview") view=crate::pages::overview::OverviewPage />
                    <Route path=path!("inventory") view=InventoryPage />
                    <Route path=path!("virtual-accounts") view=VirtualAccountsPage />
                    <Route path=path!("reports") view=ReportsPage />
                    <Route path=path!("alerts") view=crate::pages::alerts::AlertsPage />
                    <Route path=path!("events") view=crate::pages::event_log::AccountEventsPage />
                    <Route path=path!("users") view=crate::pages::users::UsersPage />
                    <Route path=path!("account") view=crate::pages::account::AccountPage />
                    <Route path=path!("api-keys") view=crate::pages::api_keys::ApiKeysPage />
                    <Route path=path!("resolve-shortages") view=crate::pages::resolve_shortages::ResolveShortagesPage />
                    <Route path=path!("tokens/:id") view=crate::pages::token_devices::TokenDevicesPage />
                    <Route path=path!("satellites") view=crate::pages::satellites::SatellitesPage />
                    <Route path=path!("traditional-licenses") view=crate::pages::traditional::TraditionalPage />
                    <Route path=path!("api-reference") view=crate::pages::api_reference::ApiReferencePage />
                    <Route path=path!("help") view=crate::pages::help::HelpPage />
                    <Route path=path!("choose-account") view=crate::pages::sign_in_steps::ChooseAccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
