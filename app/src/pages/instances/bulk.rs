//! Work in bulk on the Product Instances tab: tick rows (or "Select all" N matching the search),
//! then "Transfer…" or "Remove…", one confirmation, and the chunks run with their progress shown.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::Actions;
use crate::api::instances::bulk_count;
use crate::components::bulk::{start, BulkProgressView, BulkRun, TransferConfirm};
use crate::links::InstancesView;
use crate::model::{BulkAction, BulkSelection, PoolRef};

/// The selection of the tab's list, and what a bulk action needs.
#[derive(Clone, Copy)]
pub(super) struct Bulk {
    /// Whether the user may change this pool (else no boxes to tick).
    pub can_change: bool,
    pool: i64,
    /// Rows ticked one by one.
    pub ids: RwSignal<BTreeSet<i64>>,
    /// `Some(n)`: every one of the n instances matching the search ("Select all").
    pub all: RwSignal<Option<u64>>,
    /// Bumped when a run ends, for the list to read itself again.
    pub version: RwSignal<u32>,
    pools: StoredValue<Vec<PoolRef>>,
}

impl Bulk {
    pub fn new(actions: Actions) -> Bulk {
        let can_change = actions
            .pools
            .with_value(|p| p.iter().any(|p| p.id == actions.pool && p.can_change));
        Bulk {
            can_change,
            pool: actions.pool,
            ids: RwSignal::new(BTreeSet::new()),
            all: RwSignal::new(None),
            version: RwSignal::new(0),
            pools: actions.pools,
        }
    }

    fn count(&self) -> u64 {
        self.all
            .get()
            .unwrap_or_else(|| self.ids.with(|ids| ids.len() as u64))
    }

    fn clear(&self) {
        self.ids.set(BTreeSet::new());
        self.all.set(None);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Transfer,
    Remove,
}

fn instances(n: u64) -> String {
    if n == 1 {
        "1 product instance".to_owned()
    } else {
        format!("{n} product instances")
    }
}

#[component]
pub(super) fn BulkBar(bulk: Bulk, params: Memo<InstancesView>) -> impl IntoView {
    let mode = RwSignal::new(None::<Mode>);
    let run = RwSignal::new(BulkRun::default());
    let verb = RwSignal::new("Transferred");
    // Buttons that cannot work are worse than none: the bar shows once the page runs scripts
    // (effects run only in the browser; the server's HTML and hydration stay in step).
    let scripted = crate::components::scripted();
    // Another search or pool is another selection.
    Effect::watch(
        move || {
            let p = params.get();
            (p.pool, p.q)
        },
        move |_, _, _| {
            bulk.clear();
            mode.set(None);
        },
        false,
    );
    let select_all = move |_| {
        let p = params.get_untracked();
        let selection = BulkSelection::Matching {
            pool: bulk.pool,
            search: p.q,
            status: p.status,
        };
        leptos::task::spawn_local(async move {
            if let Ok(n) = bulk_count(selection).await {
                bulk.all.set(Some(n));
            }
        });
    };
    let summary = move || match (bulk.all.get(), bulk.count()) {
        (Some(n), _) => format!("All {} matching this search selected.", instances(n)),
        (None, 0) => "None selected.".to_owned(),
        (None, n) => format!("{} selected.", instances(n)),
    };
    let busy = move || run.with(|r| r.running);
    let nothing = move || bulk.count() == 0 || busy();
    let targets: Vec<PoolRef> = bulk.pools.with_value(|p| {
        p.iter()
            .filter(|p| p.can_change && p.id != bulk.pool)
            .cloned()
            .collect()
    });
    let has_targets = !targets.is_empty();
    let selection = move || match bulk.all.get_untracked() {
        Some(_) => {
            let p = params.get_untracked();
            BulkSelection::Matching {
                pool: bulk.pool,
                search: p.q,
                status: p.status,
            }
        }
        None => BulkSelection::Ids(bulk.ids.get_untracked().into_iter().collect()),
    };
    let go = move |action: BulkAction| {
        let selection = selection();
        verb.set(match action {
            BulkAction::Transfer { .. } => "Transferred",
            BulkAction::Remove => "Removed",
        });
        let total = bulk.count();
        mode.set(None);
        start(selection, action, total, run, move || {
            bulk.clear();
            bulk.version.update(|v| *v += 1);
        });
    };
    let confirm = move || {
        let n = bulk.count();
        mode.get().map(|m| match m {
            Mode::Transfer => view! {
                <TransferConfirm group="Transfer selected product instances" id="bulk-target"
                    label=format!("Transfer {} to", instances(n)) button="Transfer" targets=targets.clone()
                    selection=selection()
                    on_confirm=Callback::new(move |target| go(BulkAction::Transfer { target }))
                    on_cancel=Callback::new(move |()| mode.set(None)) />
            }
            .into_any(),
            Mode::Remove => view! {
                <div class="confirm card" role="group" aria-label="Remove selected product instances">
                    <span>{format!("Remove {}? Their licenses are released, and the devices have to register again.", instances(n))}</span>
                    <button type="button" class="button button-danger" on:click=move |_| go(BulkAction::Remove)>"Remove"</button>
                    <button type="button" class="button button-quiet" on:click=move |_| mode.set(None)>"Cancel"</button>
                </div>
            }
            .into_any(),
        })
    };
    view! {
        <div class="bulk-bar" role="group" aria-label="Selected product instances" hidden=move || !scripted.get()>
            <span class="bulk-count" aria-live="polite">{summary}</span>
            {move || bulk.all.get().is_none().then(|| view! {
                <button type="button" class="button button-small" on:click=select_all disabled=busy>
                    "Select all"
                </button>
            })}
            {move || (bulk.count() > 0).then(|| view! {
                <button type="button" class="button button-small button-quiet" on:click=move |_| bulk.clear()>
                    "Clear selection"
                </button>
            })}
            {has_targets.then(|| view! {
                <button type="button" class="button button-small" disabled=nothing
                    on:click=move |_| mode.set(Some(Mode::Transfer))>"Transfer…"</button>
            })}
            <button type="button" class="button button-small button-danger-quiet" disabled=nothing
                on:click=move |_| mode.set(Some(Mode::Remove))>"Remove…"</button>
        </div>
        {confirm}
        <BulkProgressView state=run verb=Signal::derive(move || verb.get()) />
    }
}
