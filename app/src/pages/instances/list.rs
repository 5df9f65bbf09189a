//! The list of the Product Instances tab: the search form, the table with its sort links, the cursor
//! pager, and the confirmation of a removal.

use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;

use crate::components::once::Submit;
use leptos_router::components::Form;

use super::Actions;
use crate::api::instances::{get_instance, list_instances};
use crate::components::badge::badge;
use crate::components::errors::{action_error, FormError, LoadError};
use crate::components::pager::Pager;
use crate::error::AppError;
use crate::format;
use crate::links::InstancesView;
use crate::model::{
    InstancePage, InstanceQuery, InstanceRow, InstanceSort, SortDir, INSTANCE_PAGE_SIZE,
};
use crate::protocol::InstanceStatus;

use super::bulk::{Bulk, BulkBar};

#[component]
pub(super) fn ListView(
    params: Memo<InstancesView>,
    actions: Actions,
    removing: Memo<Option<i64>>,
) -> impl IntoView {
    let removed = actions.remove.version();
    let bulk = Bulk::new(actions);
    let bulk_done = bulk.version;
    let list = Resource::new(
        move || (params.get(), removed.get(), bulk_done.get()),
        |(p, _, _)| {
            list_instances(InstanceQuery {
                pool: p.pool,
                search: p.q,
                status: p.status,
                sort: p.sort,
                dir: p.dir,
                after: p.after,
                before: p.before,
                limit: None,
            })
        },
    );
    let sort_options = move || {
        let current = params.get().sort;
        InstanceSort::ALL
            .into_iter()
            .map(|s| view! { <option value=s.as_str() selected=s == current>{s.label()}</option> })
            .collect_view()
    };
    let status_options = move || {
        let current = params.get().status;
        let all = view! { <option value="" selected=current.is_none()>"All statuses"</option> };
        let each = InstanceStatus::ALL
            .into_iter()
            .map(|s| view! { <option value=s.code() selected=Some(s) == current>{s.label()}</option> })
            .collect_view();
        (all, each)
    };
    let dir_options = move || {
        let current = params.get().dir;
        [SortDir::Asc, SortDir::Desc]
            .into_iter()
            .map(|d| view! { <option value=d.as_str() selected=d == current>{d.label()}</option> })
            .collect_view()
    };
    view! {
        <h2 class="sr-only">"Product Instances"</h2>
        {move || removing.get().map(|id| view! { <RemoveConfirm id actions /> })}
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/inventory" attr:class="filters" attr:role="search">
            <input type="hidden" name="va" value=actions.pool.to_string() />
            <input type="hidden" name="tab" value="instances" />
            <div class="field">
                <label for="instance-search">"Search"</label>
                <input id="instance-search" name="q" type="search" value=move || params.get().q
                    placeholder="Hostname, serial, PID or product" />
            </div>
            <div class="field">
                <label for="instance-status">"Status"</label>
                <select id="instance-status" name="status">{status_options}</select>
            </div>
            <div class="field">
                <label for="instance-sort">"Sort by"</label>
                <select id="instance-sort" name="sort">{sort_options}</select>
            </div>
            <div class="field">
                <label for="instance-dir">"Order"</label>
                <select id="instance-dir" name="dir">{dir_options}</select>
            </div>
            <button type="submit" class="button">"Search"</button>
        </Form>
        {bulk.can_change.then(|| view! { <BulkBar bulk params /> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => Either::Left(view! { <InstanceTable page params=params.get_untracked() bulk /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn InstanceTable(page: InstancePage, params: InstancesView, bulk: Bulk) -> impl IntoView {
    let paged = params.after.is_some() || params.before.is_some();
    let first = paged.then(|| {
        let href = InstancesView {
            after: None,
            before: None,
            page: 1,
            ..params.clone()
        }
        .list_href();
        (href, "First page")
    });
    if page.rows.is_empty() {
        let text = if !params.q.trim().is_empty() || params.status.is_some() {
            "No product instances match."
        } else if paged {
            "No more product instances."
        } else {
            "No product instances are registered in this virtual account yet."
        };
        let first = first.map(|(href, text)| view! { <a href=href>{text}</a> });
        return Either::Left(view! { <p class="empty">{text}</p> {first} });
    }
    let header = |sort: InstanceSort, label: &'static str, class: &'static str| {
        let active = params.sort == sort;
        let link = InstancesView {
            sort,
            dir: if active {
                params.dir.reversed()
            } else {
                sort.first_dir()
            },
            after: None,
            ..params.clone()
        };
        let (aria, arrow) = match (active, params.dir) {
            (false, _) => (None, ""),
            (true, SortDir::Asc) => (Some("ascending"), " ▲"),
            (true, SortDir::Desc) => (Some("descending"), " ▼"),
        };
        view! {
            <th scope="col" class=class aria-sort=aria>
                <a href=link.list_href()>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let summary = Some(page_summary(&page, params.page));
    let page_ids: Vec<(i64, bool)> = page.rows.iter().map(|r| (r.id, r.via.is_none())).collect();
    let select_page = bulk.can_change.then(|| {
        let ids: Vec<i64> = page_ids
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(id, _)| *id)
            .collect();
        let ids = StoredValue::new(ids);
        let all_ticked = move || {
            let chosen = bulk.ids.get();
            bulk.all.get().is_some()
                || ids.with_value(|ids| !ids.is_empty() && ids.iter().all(|id| chosen.contains(id)))
        };
        view! {
            <th scope="col" class="col-select">
                <input type="checkbox" aria-label="Select this page's product instances"
                    prop:checked=all_ticked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        bulk.all.set(None);
                        bulk.ids.update(|chosen| ids.with_value(|ids| for id in ids {
                            if on { chosen.insert(*id); } else { chosen.remove(id); }
                        }));
                    } />
            </th>
        }
    });
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <InstanceRowView row pool=params.pool bulk /> })
        .collect_view();
    let next = page.next.map(|next| {
        let href = InstancesView {
            after: Some(next),
            before: None,
            page: params.page + 1,
            ..params.clone()
        }
        .list_href();
        (href, "Next page")
    });
    let previous = page.prev.map(|prev| {
        let href = InstancesView {
            after: None,
            before: Some(prev),
            page: params.page.saturating_sub(1).max(1),
            ..params.clone()
        }
        .list_href();
        (href, "Previous page")
    });
    // A cursor page's number comes with its link; the first page has none to go back to.
    let first = first.filter(|_| previous.is_some() || params.page > 2);
    let registered = (params.sort == InstanceSort::Registered).then(|| {
        let order = if params.dir.is_desc() {
            "newest"
        } else {
            "oldest"
        };
        view! { <p class="muted">{format!("Sorted by registration, {order} first.")}</p> }
    });
    Either::Right(view! {
        {registered}
        <div class="table-scroll"><table class="table instances-table">
            <caption class="sr-only">"Product instances"</caption>
            <thead>
                <tr>
                    {select_page}
                    {header(InstanceSort::Hostname, "Name", "col-name")}
                    <th scope="col" class="col-product">"Product"</th>
                    <th scope="col" class="col-pid">"UDI PID"</th>
                    {header(InstanceSort::Serial, "UDI Serial", "col-serial")}
                    {header(InstanceSort::LastContact, "Last Contact", "col-contact")}
                    <th scope="col">"Status"</th>
                    <th scope="col">"Licenses"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
        <Pager label="Product instance pages" first back=previous summary forward=next />
    })
}

/// "Page 3 of 21 · 1,042 product instances", or "Page 3 of 201+ · 10,000+ product instances" when
/// counting stopped at the cap.
pub(super) fn page_summary(page: &InstancePage, number: u64) -> String {
    let size = INSTANCE_PAGE_SIZE;
    let pages = page.total.div_ceil(size).max(1);
    let plus = if page.total_exact { "" } else { "+" };
    let noun = if page.total == 1 && page.total_exact {
        "product instance"
    } else {
        "product instances"
    };
    format!(
        "Page {} of {}{plus} · {}{plus} {noun}",
        format::count(number),
        format::count(pages.max(number)),
        format::count(page.total),
    )
}

/// "A9K-100G-LIC × 2, …", or a dash for an instance that uses nothing.
pub(super) fn licenses_text(row: &InstanceRow) -> String {
    if row.licenses.is_empty() {
        "—".to_owned()
    } else {
        row.licenses.clone()
    }
}

#[component]
fn InstanceRowView(row: InstanceRow, pool: i64, bulk: Bulk) -> impl IntoView {
    let licenses = licenses_text(&row);
    let id = row.id;
    let select = bulk.can_change.then(|| {
        // A satellite's instance moves there, not here: nothing to tick.
        let tick = row.via.is_none().then(|| view! {
            <input type="checkbox" aria-label=format!("Select {}", row.hostname)
                prop:checked=move || bulk.all.get().is_some() || bulk.ids.with(|c| c.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    // Unticking one leaves "all matching" for the rows ticked one by one.
                    bulk.all.set(None);
                    bulk.ids.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                } />
        });
        view! { <td class="col-select">{tick}</td> }
    });
    let via = row
        .via
        .map(|name| view! { <span class="via">{format!("via {name}")}</span> });
    view! {
        <tr>
            {select}
            <th scope="row">
                <a href=InstancesView::instance_href(pool, row.id, false)>{row.hostname}</a>
                {via}
            </th>
            <td class="col-product">{row.product}</td>
            <td class="mono col-pid">{row.pid}</td>
            <td class="mono col-serial">{row.sn}</td>
            <td class="nowrap col-contact">{format::minute(row.last_contact_at)}</td>
            <td>{badge(row.status)}</td>
            <td>{licenses}</td>
        </tr>
    }
}

/// Asks to confirm the removal of instance `id`; once it is gone, says so.
#[component]
fn RemoveConfirm(id: i64, actions: Actions) -> impl IntoView {
    let removed = actions.remove.version();
    let target = Resource::new(move || (id, removed.get()), |(id, _)| get_instance(id));
    let error = action_error(&actions.remove);
    view! {
        <FormError error />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(d) if d.can_change && d.pool_id == actions.pool => {
                        let name = d.row.hostname.clone();
                        let udi = d.row.udi();
                        EitherOf4::A(view! {
                            <div class="confirm card" role="group" aria-label=format!("Remove {name}")>
                                <span>
                                    {format!("Remove product instance \"{name}\" ({udi})? Its licenses are released, and the device has to register again.")}
                                </span>
                                <ActionForm action=actions.remove attr:class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <Submit action=actions.remove class="button button-danger" label="Remove" />
                                </ActionForm>
                                <a class="button button-quiet" href=InstancesView::instance_href(actions.pool, id, false)>
                                    "Cancel"
                                </a>
                            </div>
                        })
                    }
                    Ok(_) => EitherOf4::B(()),
                    Err(AppError::NotFound) => EitherOf4::C(view! {
                        <p class="status" role="status">"The product instance has been removed."</p>
                    }),
                    Err(error) => EitherOf4::D(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}
