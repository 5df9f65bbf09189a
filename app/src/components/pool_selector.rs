//! The virtual-account selector in the header: a GET form, so it works before hydration; with
//! JavaScript it navigates as soon as the choice changes, and reloads its list after pool changes.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::components::layout::PoolsVersion;
use crate::links::{Query, Tab};
use crate::model::{Me, PoolRef};

/// The pool chosen by `?va=` on the current page, or the default one.
pub fn current_pool_id(me: &Me, query: &(impl Query + ?Sized)) -> Option<i64> {
    me.pick_pool(query.parsed("va")).map(|p| p.id)
}

#[component]
pub fn PoolSelector(me: Me) -> impl IntoView {
    let query = use_query_map();
    let pools = RwSignal::new(me.pools.clone());
    if let Some(PoolsVersion(version)) = use_context::<PoolsVersion>() {
        Effect::watch(
            move || version.get(),
            move |_, _, _| {
                leptos::task::spawn_local(async move {
                    if let Ok(Some(fresh)) = crate::api::auth::me().await {
                        pools.set(fresh.pools);
                    }
                });
            },
            false,
        );
    }
    let selected = move || {
        let me = Me {
            pools: pools.get(),
            ..me.clone()
        };
        current_pool_id(&me, &*query.read())
    };
    let tab = move || Tab::of(&*query.read()).slug();
    let submit_on_change = |ev: leptos::ev::Event| {
        let select = event_target::<web_sys::HtmlSelectElement>(&ev);
        if let Some(form) = select.form() {
            let _ = form.request_submit();
        }
    };
    // A long name is cut short in the header; the whole of it is the select's tooltip.
    let selected_now = selected.clone();
    let current_name = move || {
        let current = selected_now();
        pools.with(|all| {
            all.iter()
                .find(|p| Some(p.id) == current)
                .map(|p| p.name.clone())
        })
    };
    let options = move || {
        let current = selected();
        pools
            .get()
            .into_iter()
            .map(|p: PoolRef| {
                let label = if p.is_default { format!("{} (default)", p.name) } else { p.name };
                view! { <option value=p.id.to_string() selected=current == Some(p.id)>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/inventory" attr:class="pool-selector">
            <label for="pool-select">"Virtual Account"</label>
            <select id="pool-select" name="va" on:change=submit_on_change title=current_name>
                {options}
            </select>
            <input type="hidden" name="tab" value=tab />
            <button type="submit" class="button button-small">"Go"</button>
        </Form>
    }
}
