//! The token misuse view (`/tokens/<id>`): every device a registration token brought in — product,
//! hostname, UDI, when, from which address, where it is now — with the flags of `domain::misuse`
//! (a burst, a product or an address range the virtual account never had). The flagged devices
//! come ticked; one step then revokes the token and removes them ("Revoke Token and Remove
//! Devices…") or moves them ("Move Devices…").

use std::collections::BTreeSet;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::tokens::{get_token_devices, revoke_token};
use crate::components::badge::badge;
use crate::components::bulk::{start, BulkProgressView, BulkRun, TransferConfirm};
use crate::components::errors::LoadError;
use crate::domain::misuse::MisuseFlag;
use crate::domain::tokens::{shorten, TokenState};
use crate::error::AppError;
use crate::format;
use crate::links::GeneralView;
use crate::model::{
    BulkAction, BulkSelection, Me, PoolRef, RevokeTokenForm, TokenDeviceRow, TokenDevices,
};

#[component]
pub fn TokenDevicesPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<i64>().ok()));
    let version = RwSignal::new(0u32);
    // Outside the list, so that a run's outcome stays on screen once the list is read again.
    let run = RwSignal::new(BulkRun::default());
    let verb = RwSignal::new("Removed");
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_token_devices(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Token Devices" />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => Either::Left(view! { <TokenView d version run verb /> }),
                    Err(error) => Either::Right(view! { <h1>"Token Devices"</h1> <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Revoke,
    Move,
}

#[component]
fn TokenView(
    d: TokenDevices,
    version: RwSignal<u32>,
    run: RwSignal<BulkRun>,
    verb: RwSignal<&'static str>,
) -> impl IntoView {
    let short = shorten(&d.token.token);
    let flagged = d.rows.iter().filter(|r| !r.flags.is_empty()).count();
    let chosen: RwSignal<BTreeSet<i64>> = RwSignal::new(
        d.rows
            .iter()
            .filter(|r| !r.flags.is_empty() && r.can_change)
            .map(|r| r.id)
            .collect(),
    );
    let mode = RwSignal::new(None::<Mode>);
    // The actions need scripts: shown once the page runs them.
    let scripted = crate::components::scripted();
    let token_id = d.token.id;
    let back = GeneralView {
        pool: d.pool_id,
        ..GeneralView::default()
    }
    .href();
    let summary = if d.rows.is_empty() {
        "No device has registered with this token.".to_owned()
    } else {
        format!(
            "{} device{} registered with this token{}; {flagged} flagged.",
            d.rows.len(),
            if d.rows.len() == 1 { "" } else { "s" },
            if d.more { " (the oldest listed)" } else { "" },
        )
    };
    let can_act = d.rows.iter().any(|r| r.can_change);
    let revoked = d.token.state == TokenState::Revoked;
    let count = move || chosen.with(BTreeSet::len);
    let none = move || count() == 0 || run.with(|r| r.running);
    let finished = move || {
        chosen.set(BTreeSet::new());
        version.update(|v| *v += 1);
    };
    let go = move |action: BulkAction| {
        let ids: Vec<i64> = chosen.get_untracked().into_iter().collect();
        let total = ids.len() as u64;
        verb.set(match action {
            BulkAction::Remove => "Removed",
            BulkAction::Transfer { .. } => "Moved",
        });
        mode.set(None);
        start(BulkSelection::Ids(ids), action, total, run, finished);
    };
    let reason = RwSignal::new(String::new());
    let revoke_error = RwSignal::new(None::<String>);
    // One revocation however often the button is pressed: it waits while the request runs, and a
    // repeat of the same form (a retry) is answered as the first was.
    let revoke_form_id = StoredValue::new(crate::components::once::new_form_id());
    let revoking = RwSignal::new(false);
    let revoke_and_remove = move |_| {
        if revoking.get_untracked() {
            return;
        }
        let form = RevokeTokenForm {
            id: token_id,
            reason: reason.get_untracked(),
        };
        revoking.set(true);
        leptos::task::spawn_local(async move {
            if !revoked {
                if let Err(e) = revoke_token(form, Some(revoke_form_id.get_value())).await {
                    revoke_error.set(Some(e.for_field("reason").unwrap_or_else(|| e.to_string())));
                    revoking.set(false);
                    return;
                }
            }
            revoke_error.set(None);
            revoking.set(false);
            go(BulkAction::Remove);
        });
    };
    let targets: Vec<PoolRef> = use_context::<Me>()
        .map(|me| me.pools.into_iter().filter(|p| p.can_change).collect())
        .unwrap_or_default();
    let short_in_panel = short.clone();
    let panel = move || {
        let short_in_panel = short_in_panel.clone();
        let n = count();
        mode.get().map(|m| match m {
            Mode::Revoke => view! {
                <div class="confirm card" role="group" aria-label="Revoke token and remove devices">
                    <p>{if revoked {
                        format!("Remove {n} device(s)? Their licenses are released; the token is already revoked.")
                    } else {
                        format!("Revoke token {} and remove {n} device(s)? Their licenses are released, and nobody can register with the token again.", short_in_panel)
                    }}</p>
                    {(!revoked).then(|| view! {
                        <div class="field field-wide">
                            <label for="misuse-reason">"Reason"</label>
                            <input id="misuse-reason" type="text" maxlength="500"
                                aria-invalid=move || revoke_error.get().is_some().to_string()
                                aria-describedby="misuse-reason-error"
                                on:input=move |ev| reason.set(event_target_value(&ev)) />
                            {move || revoke_error.get().map(|m| view! {
                                <p class="field-error" id="misuse-reason-error">{m}</p>
                            })}
                        </div>
                    })}
                    <button type="button" class="button button-danger" on:click=revoke_and_remove
                        disabled=move || revoking.get() aria-busy=move || revoking.get().to_string()>
                        {if revoked { "Remove" } else { "Revoke and Remove" }}
                    </button>
                    <button type="button" class="button button-quiet" on:click=move |_| mode.set(None)>"Cancel"</button>
                </div>
            }
            .into_any(),
            Mode::Move => view! {
                <TransferConfirm group="Move devices" id="misuse-target"
                    label=format!("Move {n} device(s) to") button="Move" targets=targets.clone()
                    selection=BulkSelection::Ids(chosen.get_untracked().into_iter().collect())
                    on_confirm=Callback::new(move |target| go(BulkAction::Transfer { target }))
                    on_cancel=Callback::new(move |()| mode.set(None)) />
            }
            .into_any(),
        })
    };
    let legend = [
        MisuseFlag::Burst,
        MisuseFlag::NewProduct,
        MisuseFlag::NewAddressRange,
    ]
    .into_iter()
    .map(|f| view! { <dt>{f.label()}</dt> <dd>{f.meaning()}</dd> })
    .collect_view();
    let rows = d
        .rows
        .into_iter()
        .map(|row| view! { <DeviceRow row chosen can_act /> })
        .collect_view();
    view! {
        <div class="page-heading">
            <h1>{format!("Token {short}")}</h1>
        </div>
        <p><a href=back>{format!("Back to the tokens of \"{}\"", d.pool_name)}</a></p>
        <dl class="details">
            <dt>"Virtual account"</dt>
            <dd>{d.pool_name.clone()}</dd>
            <dt>"Description"</dt>
            <dd>{if d.token.description.is_empty() { "—".to_owned() } else { d.token.description.clone() }}</dd>
            <dt>"Uses"</dt>
            <dd>{d.token.uses_text()}</dd>
            <dt>"Expires"</dt>
            <dd>{format::minute(d.token.expires_at)}</dd>
            <dt>"State"</dt>
            <dd>{badge(d.token.state)}</dd>
        </dl>
        <h2>"Devices registered with it"</h2>
        <p>{summary}</p>
        <details class="legend">
            <summary>"What the flags mean"</summary>
            <dl>{legend}</dl>
        </details>
        {(can_act && d.can_change).then(|| view! {
            <div class="bulk-bar" role="group" aria-label="Selected devices" hidden=move || !scripted.get()>
                <span class="bulk-count" aria-live="polite">{move || format!("{} selected.", count())}</span>
                <button type="button" class="button button-small button-danger-quiet" disabled=none
                    on:click=move |_| mode.set(Some(Mode::Revoke))>"Revoke Token and Remove Devices…"</button>
                <button type="button" class="button button-small" disabled=none
                    on:click=move |_| mode.set(Some(Mode::Move))>"Move Devices…"</button>
            </div>
        })}
        {panel}
        <BulkProgressView state=run verb=Signal::derive(move || verb.get()) />
        <div class="table-scroll"><table class="table token-devices-table">
            <caption class="sr-only">"Devices registered with the token"</caption>
            <thead>
                <tr>
                    {can_act.then(|| view! { <th scope="col" class="col-select"><span class="sr-only">"Selected"</span></th> })}
                    <th scope="col">"Hostname"</th>
                    <th scope="col" class="col-product">"Product"</th>
                    <th scope="col">"UDI"</th>
                    <th scope="col">"Registered"</th>
                    <th scope="col">"Source Address"</th>
                    <th scope="col" class="col-pool">"Virtual Account"</th>
                    <th scope="col">"Flags"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}

#[component]
fn DeviceRow(row: TokenDeviceRow, chosen: RwSignal<BTreeSet<i64>>, can_act: bool) -> impl IntoView {
    let id = row.id;
    let tick = can_act.then(|| {
        let input = row.can_change.then(|| {
            view! {
                <input type="checkbox" aria-label=format!("Select {}", row.hostname)
                    prop:checked=move || chosen.with(|c| c.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                    } />
            }
        });
        view! { <td class="col-select">{input}</td> }
    });
    let flags = if row.flags.is_empty() {
        Either::Left(view! { <span class="muted">"—"</span> })
    } else {
        Either::Right(
            row.flags
                .iter()
                .map(|f| view! { <span class="badge badge-warning flag" title=f.meaning()>{f.label()}</span> " " })
                .collect_view(),
        )
    };
    let href = crate::links::InstancesView::instance_href(row.pool_id, row.id, false);
    view! {
        <tr class:flagged=!row.flags.is_empty()>
            {tick}
            <th scope="row"><a href=href>{row.hostname.clone()}</a></th>
            <td class="col-product">{row.product}</td>
            <td class="mono">{format!("PID:{},SN:{}", row.pid, row.sn)}</td>
            <td class="nowrap">{format::second(row.registered_at)}</td>
            <td class="mono">{row.source.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="col-pool">{row.pool_name}</td>
            <td>{flags}</td>
        </tr>
    }
}
