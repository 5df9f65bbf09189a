//! Running a bulk action on product instances chunk by chunk (`instances/bulk-step`, one
//! transaction each) and showing how far it got: a progress bar, "Transferred 400 of 1234", and the
//! instances it left as they were, with why.

use leptos::prelude::*;

use crate::api::instances::{apply_bulk_step, transfer_shortfalls};
use crate::components::errors::FormError;
use crate::error::AppError;
use crate::format;
use crate::model::{BulkAction, BulkSelection, BulkSkip, BulkStep, PoolRef};

/// How far a bulk action is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkRun {
    /// Instances selected when it started.
    pub total: u64,
    pub done: u64,
    pub skipped: Vec<BulkSkip>,
    pub running: bool,
    pub error: Option<AppError>,
    /// Which run this is (counted from 1): a new run makes a new progress panel, which takes the focus.
    pub run: u64,
}

impl BulkRun {
    fn finished(&self) -> bool {
        !self.running && (self.done > 0 || !self.skipped.is_empty() || self.error.is_some())
    }
}

/// Starts the action; `state` follows it, and `finished` runs once the last chunk answered (or one
/// failed: the chunks before it stay done).
pub fn start(
    selection: BulkSelection,
    action: BulkAction,
    total: u64,
    state: RwSignal<BulkRun>,
    finished: impl Fn() + 'static,
) {
    let run = state.with_untracked(|s| s.run) + 1;
    state.set(BulkRun {
        total,
        running: true,
        run,
        ..BulkRun::default()
    });
    leptos::task::spawn_local(async move {
        let mut after = None;
        loop {
            let step = BulkStep {
                selection: selection.clone(),
                action,
                after,
            };
            match apply_bulk_step(step).await {
                Ok(progress) => {
                    state.update(|s| {
                        s.done += progress.done;
                        s.skipped.extend(progress.skipped);
                    });
                    match progress.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                Err(error) => {
                    state.update(|s| s.error = Some(error));
                    break;
                }
            }
        }
        state.update(|s| s.running = false);
        finished();
    });
}

/// The progress of a run, announced politely; nothing before one starts. The panel is made once per
/// run (its bar and text follow the run): the focus goes to it when the run starts and stays where
/// the user puts it while the chunks go by.
#[component]
pub fn BulkProgressView(state: RwSignal<BulkRun>, verb: Signal<&'static str>) -> impl IntoView {
    let error = Signal::derive(move || state.get().error);
    // The run shown, if any: the panel is made again only when another run starts.
    let shown =
        Memo::new(move |_| state.with(|run| (run.running || run.finished()).then_some(run.run)));
    move || {
        shown.get().map(|_| {
            let text = move || {
                state.with(|run| {
                    let ending = if run.running { "…" } else { "." };
                    format!("{} {} of {} product instances{ending}", verb.get(), run.done, run.total)
                })
            };
            let skipped = move || {
                state.with(|run| {
                    (!run.skipped.is_empty()).then(|| {
                        let items = run
                            .skipped
                            .iter()
                            .map(|s| view! { <li><strong>{s.hostname.clone()}</strong>": "{s.reason.clone()}</li> })
                            .collect_view();
                        view! {
                            <p>{format!("{} left as they were:", run.skipped.len())}</p>
                            <ul class="bulk-skipped">{items}</ul>
                        }
                    })
                })
            };
            // The button that started it is gone: the focus goes to the progress, then to the outcome.
            let panel = crate::components::outcome::focus_when_mounted();
            view! {
                <div class="card bulk-progress" tabindex="-1" node_ref=panel>
                    <progress max=move || state.with(|run| run.total.max(1).to_string())
                        value=move || state.with(|run| run.done.to_string())
                        aria-label="Progress"></progress>
                    <p class="status" role="status">{text}</p>
                    {skipped}
                    <FormError error />
                </div>
            }
        })
    }
}

/// The confirmation of a bulk transfer: the target (the first of `targets` preselected), the button
/// that starts it (`on_confirm` with the target's id) and Cancel.
#[component]
pub fn TransferConfirm(
    /// The group's accessible name.
    group: &'static str,
    /// The select's id.
    id: &'static str,
    /// The select's label ("Transfer 3 product instances to").
    label: String,
    /// The button's text.
    button: &'static str,
    targets: Vec<PoolRef>,
    /// The instances that would move: the licenses they would leave short in the target are
    /// named before the button is pressed.
    selection: BulkSelection,
    on_confirm: Callback<i64>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let target = RwSignal::new(targets.first().map(|p| p.id));
    let options = targets
        .into_iter()
        .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
        .collect_view();
    view! {
        <div class="confirm card" role="group" aria-label=group>
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                {options}
            </select>
            <button type="button" class="button button-primary"
                on:click=move |_| if let Some(t) = target.get_untracked() {
                    on_confirm.run(t)
                }>{button}</button>
            <button type="button" class="button button-quiet" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            <ShortfallWarning selection target=target.into() />
        </div>
    }
}

/// Under a transfer of instances: which licenses the target virtual account would go short of,
/// and by how much, with the way to Resolve Shortages. Nothing when it has enough.
#[component]
pub fn ShortfallWarning(selection: BulkSelection, target: Signal<Option<i64>>) -> impl IntoView {
    // Asked for from the browser once the page runs its scripts, never part of the server's page: a
    // resource nested in the detail's suspense made hydration depend on the order both sides met it
    // (a rare "unrecoverable hydration error" on a full load with the form open).
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let shortfalls = LocalResource::new(move || {
        let selection = selection.clone();
        let target = target.get();
        async move {
            match target {
                Some(target) => transfer_shortfalls(selection, target).await,
                None => Ok(Vec::new()),
            }
        }
    });
    move || {
        mounted.get().then(|| view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = shortfalls.await.unwrap_or_default();
                (!list.is_empty()).then(|| {
                    let items = list
                        .into_iter()
                        .map(|s| {
                            let text = if s.short > s.added {
                                format!("{}: {} short, {} more than now", s.tag, format::count(s.short), format::count(s.added))
                            } else {
                                format!("{}: {} short", s.tag, format::count(s.short))
                            };
                            view! { <li>{text}</li> }
                        })
                        .collect_view();
                    view! {
                        <div class="banner banner-warning shortfall" role="status">
                            <p>"The target virtual account does not hold enough licenses for these instances; after the transfer it is out of compliance:"</p>
                            <ul>{items}</ul>
                            <p><a href="/resolve-shortages">"Resolve Shortages…"</a>" finds licenses to move there from other virtual accounts."</p>
                        </div>
                    }
                })
            })}
        </Transition>
    })
    }
}
