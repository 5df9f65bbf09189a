//! The Product Instances tab of the Inventory: the pool's registered devices, searched by the start of
//! their hostname or serial, sorted by header links and paged by a cursor, all through GET parameters
//! (`links::InstancesView`) so that it works without JavaScript. `?instance=<id>` shows one instance
//! (`&transfer=1` opens its transfer form); `?remove=<id>` asks to confirm a removal above the list,
//! where the page stays once the instance is gone.

mod bulk;
mod detail;
mod list;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::instances::{RemoveInstance, TransferInstance};
use crate::links::InstancesView;
use crate::model::{Me, PoolRef};

use detail::DetailView;
use list::ListView;

/// What the tab's views share: the pool shown, the two actions and the pools the user may change.
#[derive(Clone, Copy)]
struct Actions {
    pool: i64,
    transfer: ServerAction<TransferInstance>,
    remove: ServerAction<RemoveInstance>,
    pools: StoredValue<Vec<PoolRef>>,
}

#[component]
pub fn InstancesTab(pool: i64) -> impl IntoView {
    let pools = use_context::<Me>().map(|me| me.pools).unwrap_or_default();
    let actions = Actions {
        pool,
        transfer: ServerAction::<TransferInstance>::new(),
        remove: ServerAction::<RemoveInstance>::new(),
        pools: StoredValue::new(pools),
    };
    let query = use_query_map();
    let view = Memo::new(move |_| InstancesView::of(pool, &*query.read()));
    let instance = Memo::new(move |_| view.get().instance);
    let transferring = Memo::new(move |_| view.get().transfer);
    let removing = Memo::new(move |_| view.get().remove);
    // The list's own parameters, so that opening a confirmation does not reload the list.
    let params = Memo::new(move |_| InstancesView {
        instance: None,
        transfer: false,
        remove: None,
        ..view.get()
    });
    move || match instance.get() {
        Some(id) => Either::Left(view! { <DetailView id actions transferring /> }),
        None => Either::Right(view! { <ListView params actions removing /> }),
    }
}
