//! The Licenses tab of the Inventory: one row per license the pool holds or uses, sortable by every
//! column (links in the headers), filtered by a search box and paged, all through GET parameters
//! (`links::LicensesView`) so that it works without JavaScript. `?license=<id>` shows one license in
//! detail; `?transfer=<id>` opens the transfer form of a license.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::outcome::Outcome;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::licenses::{list_licenses, TransferLicenses, TransferSeveral};
use crate::components::badge::badge;
use crate::components::errors::LoadError;
use crate::components::pager::Pager;
use crate::components::transfer_form::{TransferButton, TransferForm, Transfers};
use crate::domain::licenses::LicenseAlert;
use crate::format;
use crate::links::LicensesView;
use crate::model::{LicensePage, LicenseQuery, LicenseRow, LicenseSort, Me, SortDir};
use crate::pages::license_detail::LicenseDetailView;
use crate::pages::transfer_several::TransferSeveralPanel;

/// The badge of a license's alert mark, if it has one.
pub fn alert_badge(alert: Option<LicenseAlert>) -> impl IntoView {
    alert.map(badge)
}

/// The Expires cell: the nearest end, "Never" when all active lots are perpetual, else a dash.
pub fn expires_text(row: &LicenseRow) -> String {
    match row.nearest_expiry {
        Some(end) => format::date(end),
        None if row.purchased > 0 => "Never".to_owned(),
        None => "—".to_owned(),
    }
}

/// The Licenses tab of the pool `pool`: the list, or one license in detail.
#[component]
pub fn LicensesTab(pool: i64) -> impl IntoView {
    let me = use_context::<Me>();
    let can_change = me
        .as_ref()
        .and_then(|m| m.pools.iter().find(|p| p.id == pool))
        .is_some_and(|p| p.can_change);
    let targets: Vec<_> = me
        .map(|m| m.pools)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.id != pool && p.can_change)
        .collect();
    let action = ServerAction::<TransferLicenses>::new();
    let several = ServerAction::<TransferSeveral>::new();
    let several_done = RwSignal::new(0_u64);
    let transfers = Transfers {
        pool,
        action,
        several,
        several_done,
        allowed: can_change && !targets.is_empty(),
        targets,
    };
    let query = use_query_map();
    let params = Memo::new(move |_| LicensesView::of(pool, &*query.read()));
    let license = Memo::new(move |_| params.get().license);
    let transfer = Memo::new(move |_| params.get().transfer);
    // The outcome of the latest transfer, one license or several; it lives here, above the list
    // that each transfer reads again.
    let done = RwSignal::new(None::<String>);
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            done.set(
                action
                    .value()
                    .get_untracked()
                    .and_then(Result::ok)
                    .map(|d| {
                        format!(
                            "{} × {} transferred from {} to {}.",
                            d.quantity, d.tag, d.from_pool, d.to_pool
                        )
                    }),
            );
        },
        false,
    );
    Effect::watch(
        move || several.version().get(),
        move |_, _, _| {
            let moved = several.value().get_untracked().and_then(Result::ok);
            if moved.is_some() {
                several_done.update(|n| *n += 1);
            }
            done.set(moved.map(|moved| {
                let total: i64 = moved.iter().map(|d| d.quantity).sum();
                let to = moved.first().map(|d| d.to_pool.clone()).unwrap_or_default();
                format!(
                    "{total} licenses of {} kinds transferred to {to}.",
                    moved.len()
                )
            }));
        },
        false,
    );
    view! {
        <h2 class="sr-only">"Licenses"</h2>
        <Outcome message=done class="licenses-status" />
        {move || {
            let transfers = transfers.clone();
            match license.get() {
                Some(id) => Either::Left(view! { <LicenseDetailView license=id transfers transfer /> }),
                None => Either::Right(view! { <LicenseList params transfers transfer /> }),
            }
        }}
    }
}

#[component]
fn LicenseList(
    params: Memo<LicensesView>,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let version = transfers.action.version();
    let several_done = transfers.several_done;
    // Opening a row's transfer form (`&transfer=`) does not read the list again: a re-read would
    // put a fresh form in place of the one being filled in.
    let list = Resource::new(
        move || {
            let p = LicensesView {
                transfer: None,
                ..params.get()
            };
            (p, version.get(), several_done.get())
        },
        |(p, _, _)| {
            list_licenses(LicenseQuery {
                pool: p.pool,
                q: p.q,
                sort: p.sort,
                dir: p.dir,
                page: p.page,
            })
        },
    );
    let p = params.get_untracked();
    let resolve = transfers.allowed.then(|| {
        view! {
            <p class="tab-actions">
                <a class="button" href=crate::links::ResolveView::default().href()>"Resolve Shortages…"</a>
            </p>
        }
    });
    view! {
        {resolve}
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/inventory" attr:class="filters" attr:role="search">
            <input type="hidden" name="va" value=p.pool.to_string() />
            <input type="hidden" name="tab" value="licenses" />
            <input type="hidden" name="sort" value=move || params.get().sort.as_str() />
            <input type="hidden" name="dir" value=move || params.get().dir.as_str() />
            <div class="field">
                <label for="license-search">"Search"</label>
                <input id="license-search" name="q" type="search" value=move || params.get().q
                    placeholder="Tag, name or family" />
            </div>
            <button type="submit" class="button">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let transfers = transfers.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(page) => Either::Left(view! { <LicenseTable page params=params.get_untracked() transfers transfer /> }),
                        Err(error) => Either::Right(view! { <LoadError error /> }),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn LicenseTable(
    page: LicensePage,
    params: LicensesView,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if params.q.trim().is_empty() {
            "This virtual account holds and uses no licenses."
        } else {
            "No licenses match."
        };
        return Either::Left(view! { <p class="empty">{text}</p> });
    }
    let header = |sort: LicenseSort, label: &'static str, num: bool| {
        let active = params.sort == sort;
        let link = LicensesView {
            sort,
            dir: if active {
                params.dir.reversed()
            } else {
                SortDir::Asc
            },
            page: 1,
            ..params.clone()
        };
        let (aria, arrow) = match (active, params.dir) {
            (false, _) => ("none", ""),
            (true, SortDir::Asc) => ("ascending", " ▲"),
            (true, SortDir::Desc) => ("descending", " ▼"),
        };
        view! {
            <th scope="col" class:num=num class:col-family=sort == LicenseSort::Family aria-sort=aria>
                <a href=link.list_href()>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let several: Vec<(i64, String, i64)> = page
        .rows
        .iter()
        .filter(|r| r.transferable > 0)
        .filter_map(|r| {
            r.license_id
                .map(|id| (id, format!("{} ({})", r.name, r.tag), r.transferable))
        })
        .collect();
    let several = (transfers.allowed && !several.is_empty())
        .then(|| view! { <TransferSeveralPanel transfers=transfers.clone() licenses=several /> });
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <LicenseRowView row params=params.clone() transfers=transfers.clone() transfer /> })
        .collect_view();
    let pager_link = |to: u64| {
        LicensesView {
            page: to,
            ..params.clone()
        }
        .list_href()
    };
    let previous = (page.page > 1).then(|| (pager_link(page.page - 1), "Previous page"));
    let next = (page.page < page.pages).then(|| (pager_link(page.page + 1), "Next page"));
    let summary = format!(
        "Page {} of {} · {} licenses",
        page.page, page.pages, page.total
    );
    Either::Right(view! {
        {several}
        <div class="table-scroll"><table class="table licenses-table">
            <caption class="sr-only">"Licenses"</caption>
            <thead>
                <tr>
                    {header(LicenseSort::License, "License", false)}
                    {header(LicenseSort::Family, "Product Family", false)}
                    {header(LicenseSort::Purchased, "Purchased", true)}
                    {header(LicenseSort::InUse, "In Use", true)}
                    {header(LicenseSort::Balance, "Balance", true)}
                    {header(LicenseSort::Expires, "Expires", false)}
                    {header(LicenseSort::Alert, "Alert", false)}
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
        <Pager label="License pages" back=previous summary=Some(summary) forward=next />
    })
}

#[component]
fn LicenseRowView(
    row: LicenseRow,
    params: LicensesView,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let expires = expires_text(&row);
    let short = row.balance < 0;
    let name = match row.license_id {
        Some(id) => {
            let href = LicensesView::license_href(params.pool, id);
            Either::Left(view! { <a href=href>{row.name.clone()}</a> })
        }
        None => Either::Right(view! { <span class="muted">"Not in the catalogue"</span> }),
    };
    let button = row
        .license_id
        .filter(|_| transfers.allowed)
        .map(|id| view! { <TransferButton params=params.list_pairs() license=id /> });
    let form = row.license_id.filter(|_| transfers.allowed).map(|id| {
        let label = format!("{} ({})", row.name, row.tag);
        let most = row.transferable;
        move || {
            (transfer.get() == Some(id)).then(|| {
                view! {
                    <tr class="edit-row">
                        <td colspan="8">
                            <TransferForm transfers=transfers.clone() license=id label=label.clone() most cancel=params.list_href() />
                        </td>
                    </tr>
                }
            })
        }
    });
    view! {
        <tr>
            <th scope="row">{name}<br /><code class="tag">{row.tag.clone()}</code></th>
            <td class="col-family">{row.product_family.clone()}</td>
            <td class="num">{crate::format::count(row.purchased)}</td>
            <td class="num">{crate::format::count(row.in_use)}</td>
            <td class="num" class:shortage=short>
                {crate::format::count(row.balance)}
                {short.then(|| view! { " " <span class="shortage-label">"short"</span> })}
            </td>
            <td class="nowrap">{expires}</td>
            <td>
                {alert_badge(row.alert)}
                {row.shortage_expected_in.map(|d| view! { <span class="forecast">{crate::domain::forecast::shortage_label(d)}</span> })}
            </td>
            <td class="actions">{button}</td>
        </tr>
        {form}
    }
}
