//! `/`: straight to the Overview.

use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path="/overview" /> }
}
