//! One product instance (`?instance=<id>`): what the portal knows of it, its entitlements, its history,
//! and its transfer form (`&transfer=1`).

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};

use super::list::licenses_text;
use super::Actions;
use crate::api::instances::get_instance;
use crate::components::badge::badge;
use crate::components::bulk::ShortfallWarning;
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::components::event_table::EventTable;
use crate::error::AppError;
use crate::format;
use crate::links::{InstancesView, Tab};
use crate::model::{BulkSelection, InstanceDetail, PoolRef};

#[component]
pub(super) fn DetailView(id: i64, actions: Actions, transferring: Memo<bool>) -> impl IntoView {
    let moved = actions.transfer.version();
    let detail = Resource::new(move || (id, moved.get()), |(id, _)| get_instance(id));
    view! {
        <p><a href=Tab::Instances.href(actions.pool)>"← All product instances"</a></p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => EitherOf3::A(view! { <DetailBody detail actions transferring /> }),
                    Err(AppError::NotFound) => EitherOf3::B(view! {
                        <p class="empty">"This product instance does not exist, or it has been removed."</p>
                    }),
                    Err(error) => EitherOf3::C(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn DetailBody(detail: InstanceDetail, actions: Actions, transferring: Memo<bool>) -> impl IntoView {
    let InstanceDetail {
        row,
        pool_id,
        pool_name,
        software_version,
        registered_at,
        id_cert_serial,
        id_cert_expires_at,
        auth_expires_at,
        entitlements,
        events,
        can_change,
    } = detail;
    let id = row.id;
    let here = InstancesView::instance_href(actions.pool, id, false);
    // After a transfer (or when opened from another pool's link) the instance lives elsewhere: say
    // where, and offer nothing to change from here.
    let elsewhere = (pool_id != actions.pool).then(|| {
        let href = InstancesView::instance_href(pool_id, id, false);
        view! {
            <div class="banner instance-elsewhere" role="status">
                {format!("This product instance is in the virtual account \"{pool_name}\". ")}
                <a href=href>{format!("Open it in {pool_name}")}</a>
            </div>
        }
    });
    let targets: Vec<PoolRef> = actions
        .pools
        .get_value()
        .into_iter()
        .filter(|p| p.can_change && p.id != pool_id)
        .collect();
    let controls = (can_change && pool_id == actions.pool).then(|| {
        let name = row.hostname.clone();
        let transfer_button = (!targets.is_empty()).then(|| {
            let href = InstancesView::instance_href(actions.pool, id, true);
            view! { <a class="button" href=href>"Transfer…"</a> }
        });
        let form = move || {
            (transferring.get() && !targets.is_empty()).then(|| {
                view! { <TransferForm id name=name.clone() targets=targets.clone() actions cancel=here.clone() /> }
            })
        };
        view! {
            <div class="detail-actions">
                {transfer_button}
                <a class="button button-danger-quiet" href=InstancesView::remove_href(actions.pool, id)>
                    "Remove…"
                </a>
            </div>
            {form}
        }
    });
    let entitlement_rows = entitlements
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td><code>{e.tag.clone()}</code></td>
                    <td>{e.name.clone().unwrap_or_else(|| "Not in the catalogue".to_owned())}</td>
                    <td class="num">{e.count}</td>
                    <td>{badge(e.status)}</td>
                </tr>
            }
        })
        .collect_view();
    let no_entitlements = entitlements.is_empty();
    let no_events = events.is_empty();
    let licenses = licenses_text(&row);
    view! {
        <section class="instance-detail" aria-labelledby="instance-heading">
            <div class="section-heading">
                <h2 id="instance-heading">{row.hostname.clone()}</h2>
                {badge(row.status)}
            </div>
            {elsewhere}
            <dl class="details">
                <dt>"Hostname"</dt>
                <dd>{row.hostname.clone()}</dd>
                <dt>"Product"</dt>
                <dd>{row.product.clone()}</dd>
                <dt>"UDI"</dt>
                <dd class="mono">{row.udi()}</dd>
                <dt>"Software Version"</dt>
                <dd>{software_version.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Virtual Account"</dt>
                <dd>{pool_name.clone()}</dd>
                <dt>"Connects"</dt>
                <dd>{row.via.clone().map_or_else(|| "Directly to this portal".to_owned(), |s| format!("via satellite {s}"))}</dd>
                <dt>"Registered"</dt>
                <dd>{format::minute(registered_at)}</dd>
                <dt>"Last Contact"</dt>
                <dd>{format::minute(row.last_contact_at)}</dd>
                <dt>"ID Certificate Serial"</dt>
                <dd class="mono">{id_cert_serial}</dd>
                <dt>"ID Certificate Expires"</dt>
                <dd>{format::minute(id_cert_expires_at)}</dd>
                <dt>"Authorization Expires"</dt>
                <dd>{auth_expires_at.map(format::minute).unwrap_or_else(|| "Not authorized yet".to_owned())}</dd>
                <dt>"Status"</dt>
                <dd>{badge(row.status)}</dd>
                <dt>"Licenses"</dt>
                <dd>{licenses}</dd>
            </dl>
            {controls}

            <h3 id="entitlements-heading">"Entitlements"</h3>
            <div class="table-scroll"><table class="table" aria-labelledby="entitlements-heading">
                <thead>
                    <tr>
                        <th scope="col">"Tag"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col" class="num">"Count"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{entitlement_rows}</tbody>
            </table></div>
            {no_entitlements.then(|| view! { <p class="empty">"It uses no licenses."</p> })}

            <h3 id="history-heading">"Event history"</h3>
            <EventTable rows=events caption="Event history" />
            {no_events.then(|| view! { <p class="empty">"No events yet."</p> })}
        </section>
    }
}

#[component]
fn TransferForm(
    id: i64,
    name: String,
    targets: Vec<PoolRef>,
    actions: Actions,
    cancel: String,
) -> impl IntoView {
    let error = action_error(&actions.transfer);
    let invalid = move || {
        error
            .get()
            .is_some_and(|e| e.for_field("target").is_some())
            .to_string()
    };
    let target = RwSignal::new(targets.first().map(|p| p.id));
    let options = targets
        .into_iter()
        .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
        .collect_view();
    view! {
        <section class="transfer-form" aria-label=format!("Transfer {name}")>
            <h3>"Transfer to another virtual account"</h3>
            <ActionForm action=actions.transfer attr:class="form-row"><FormId action=actions.transfer />
                <input type="hidden" name="id" value=id.to_string() />
                <div class="field">
                    <label for="instance-target">"Target Virtual Account"</label>
                    <select id="instance-target" name="target" required aria-invalid=invalid
                        aria-describedby="instance-target-error"
                        on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                        {options}
                    </select>
                    <FieldError error field="target" id="instance-target" />
                </div>
                <Submit action=actions.transfer class="button button-primary" label="Transfer" />
                <a class="button button-quiet" href=cancel>"Cancel"</a>
            </ActionForm>
            <ShortfallWarning selection=BulkSelection::Ids(vec![id]) target=target.into() />
            <FormError error />
        </section>
    }
}
