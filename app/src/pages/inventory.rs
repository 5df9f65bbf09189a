//! The Inventory of one virtual account, in four tabs chosen by `?tab=`.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::pool_selector::current_pool_id;
use crate::links::{Query, Tab};
use crate::model::{Me, PoolRef};
use crate::pages::event_log::EventLogTab;
use crate::pages::general::GeneralTab;
use crate::pages::instances::InstancesTab;
use crate::pages::licenses_tab::LicensesTab;

#[component]
pub fn InventoryPage() -> impl IntoView {
    let Some(me) = use_context::<Me>() else {
        return Either::Left(view! { <p>"Please sign in."</p> });
    };
    let query = use_query_map();
    let pool = {
        let me = me.clone();
        Memo::new(move |_| {
            current_pool_id(&me, &*query.read())
                .and_then(|id| me.pools.iter().find(|p| p.id == id).cloned())
        })
    };
    let tab = Memo::new(move |_| Tab::of(&*query.read()));
    // `?va=` of a pool this user cannot see (another account's, a deleted one, a typo) shows the
    // default pool instead, and says so rather than showing it silently under the asked-for URL.
    let unseen = Memo::new(move |_| {
        let asked = query.read().value("va").filter(|v| !v.trim().is_empty())?;
        let shown = pool.get()?;
        (asked.trim().parse::<i64>().ok() != Some(shown.id)).then_some(shown.name)
    });
    let account = me.smart_account.clone();
    Either::Right(view! {
        {move || {
            let account = account.clone();
            match pool.get() {
                None => Either::Left(view! {
                    <Title text=format!("Inventory · {account}") />
                    <h1>"Inventory"</h1>
                    <p class="empty">"You have no virtual account to work in. Ask an account admin for access."</p>
                }),
                Some(pool) => Either::Right(view! {
                    <Title text=format!("{} · {account}", pool.name) />
                    {move || unseen.get().map(|shown| view! {
                        <p class="notice" role="status">
                            {format!("The virtual account asked for is not one you can see; showing {shown}.")}
                        </p>
                    })}
                    <InventoryView pool tab />
                }),
            }
        }}
    })
}

#[component]
fn InventoryView(pool: PoolRef, tab: Memo<Tab>) -> impl IntoView {
    let id = pool.id;
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| {
            let selected = move || tab.get() == t;
            view! {
                <a
                    role="tab"
                    id=format!("tab-{}", t.slug())
                    href=t.href(id)
                    aria-selected=move || selected().to_string()
                    aria-controls="tab-panel"
                    class:active=selected
                >
                    {t.label()}
                </a>
            }
        })
        .collect_view();
    view! {
        <div class="page-heading">
            <h1>{pool.name.clone()}</h1>
            {pool.is_default.then(|| view! { <span class="badge badge-info">"Default"</span> })}
        </div>
        <nav class="tabs" role="tablist" aria-label="Inventory">
            {tabs}
        </nav>
        <section
            class="tab-panel"
            id="tab-panel"
            role="tabpanel"
            aria-labelledby=move || format!("tab-{}", tab.get().slug())
        >
            {move || match tab.get() {
                Tab::General => view! { <GeneralTab pool=id /> }.into_any(),
                Tab::Licenses => view! { <LicensesTab pool=id /> }.into_any(),
                Tab::Instances => view! { <InstancesTab pool=id /> }.into_any(),
                Tab::Events => view! { <EventLogTab pool=id /> }.into_any(),
            }}
        </section>
    }
}
