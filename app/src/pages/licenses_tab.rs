//! The Licenses tab of the Inventory: one row per license the pool holds or uses, sortable by every
//! column (links in the headers), filtered by a search box and paged, all through GET parameters so
//! that it works without JavaScript. `?license=<id>` shows one license in detail; `?transfer=<id>`
//! opens the transfer form of a license.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::licenses::{list_licenses, TransferLicenses};
use crate::components::errors::LoadError;
use crate::components::query::urlencode;
use crate::components::transfer_form::{TransferButton, TransferForm, Transfers};
use crate::domain::licenses::LicenseAlert;
use crate::model::{LicensePage, LicenseRow, LicenseSort, Me};
use crate::pages::license_detail::LicenseDetailView;

/// The list's GET parameters, as read from the URL and written into links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub pool: i64,
    pub q: String,
    pub sort: LicenseSort,
    pub desc: bool,
    pub page: u64,
}

impl ListParams {
    /// The parameters as (name, value) pairs, for hidden inputs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("va", self.pool.to_string()),
            ("tab", "licenses".to_owned()),
            ("q", self.q.clone()),
            ("sort", self.sort.as_str().to_owned()),
            ("dir", if self.desc { "desc" } else { "asc" }.to_owned()),
            ("page", self.page.to_string()),
        ]
    }

    /// A link to the list with these parameters.
    pub fn href(&self) -> String {
        let query: Vec<String> = self
            .pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", urlencode(&v)))
            .collect();
        format!("/inventory?{}", query.join("&"))
    }
}

/// A badge for a license's alert mark.
pub fn alert_badge(alert: Option<LicenseAlert>) -> impl IntoView {
    alert.map(|a| {
        let class = match a {
            LicenseAlert::Insufficient { .. } | LicenseAlert::Expired => "badge badge-danger",
            LicenseAlert::Expiring { .. } => "badge badge-warning",
        };
        view! { <span class=class>{a.label()}</span> }
    })
}

/// The Expires cell: the nearest end, "Never" when all active lots are perpetual, else a dash.
pub fn expires_text(row: &LicenseRow) -> String {
    match row.nearest_expiry {
        Some(end) => end.format("%Y-%m-%d").to_string(),
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
    let transfers = Transfers {
        pool,
        action,
        allowed: can_change && !targets.is_empty(),
        targets,
    };
    let query = use_query_map();
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let license = Memo::new(move |_| param("license").parse::<i64>().ok());
    let transfer = Memo::new(move |_| param("transfer").parse::<i64>().ok());
    let params = Memo::new(move |_| ListParams {
        pool,
        q: param("q"),
        sort: LicenseSort::parse(&param("sort")),
        desc: param("dir") == "desc",
        page: param("page").parse().unwrap_or(1),
    });
    let done = move || {
        action.value().get().and_then(|r| r.ok()).map(|d| {
            format!(
                "{} × {} transferred from {} to {}.",
                d.quantity, d.tag, d.from_pool, d.to_pool
            )
        })
    };
    view! {
        <h2 class="sr-only">"Licenses"</h2>
        <p class="status licenses-status" role="status">{done}</p>
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
    params: Memo<ListParams>,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let version = transfers.action.version();
    let list = Resource::new(
        move || (params.get(), version.get()),
        |(p, _)| {
            list_licenses(
                p.pool,
                p.q,
                p.sort.as_str().to_owned(),
                if p.desc { "desc" } else { "asc" }.to_owned(),
                p.page,
            )
        },
    );
    let p = params.get_untracked();
    view! {
        <Form method="GET" action="/inventory" attr:class="filters" attr:role="search">
            <input type="hidden" name="va" value=p.pool.to_string() />
            <input type="hidden" name="tab" value="licenses" />
            <input type="hidden" name="sort" value=move || params.get().sort.as_str() />
            <input type="hidden" name="dir" value=move || if params.get().desc { "desc" } else { "asc" } />
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
    params: ListParams,
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
        let link = ListParams {
            sort,
            desc: active && !params.desc,
            page: 1,
            ..params.clone()
        };
        let (aria, arrow) = match (active, params.desc) {
            (false, _) => ("none", ""),
            (true, false) => ("ascending", " ▲"),
            (true, true) => ("descending", " ▼"),
        };
        view! {
            <th scope="col" class:num=num aria-sort=aria>
                <a href=link.href()>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <LicenseRowView row params=params.clone() transfers=transfers.clone() transfer /> })
        .collect_view();
    let pager_link = |to: u64| {
        ListParams {
            page: to,
            ..params.clone()
        }
        .href()
    };
    Either::Right(view! {
        <table class="table licenses-table">
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
        </table>
        <nav class="pager" aria-label="License pages">
            {(page.page > 1).then(|| view! { <a href=pager_link(page.page - 1)>"Previous page"</a> })}
            <span>{format!("Page {} of {} · {} licenses", page.page, page.pages, page.total)}</span>
            {(page.page < page.pages).then(|| view! { <a href=pager_link(page.page + 1)>"Next page"</a> })}
        </nav>
    })
}

#[component]
fn LicenseRowView(
    row: LicenseRow,
    params: ListParams,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let expires = expires_text(&row);
    let short = row.balance < 0;
    let name = match row.license_id {
        Some(id) => {
            let href = format!("/inventory?va={}&tab=licenses&license={id}", params.pool);
            Either::Left(view! { <a href=href>{row.name.clone()}</a> })
        }
        None => Either::Right(view! { <span class="muted">"Not in the catalogue"</span> }),
    };
    let button = row
        .license_id
        .filter(|_| transfers.allowed)
        .map(|id| view! { <TransferButton params=params.pairs() license=id /> });
    let form = row.license_id.filter(|_| transfers.allowed).map(|id| {
        let label = format!("{} ({})", row.name, row.tag);
        let most = row.transferable;
        move || {
            (transfer.get() == Some(id)).then(|| {
                view! {
                    <tr class="edit-row">
                        <td colspan="8">
                            <TransferForm transfers=transfers.clone() license=id label=label.clone() most cancel=params.href() />
                        </td>
                    </tr>
                }
            })
        }
    });
    view! {
        <tr>
            <th scope="row">{name}<br /><code class="tag">{row.tag.clone()}</code></th>
            <td>{row.product_family.clone()}</td>
            <td class="num">{row.purchased}</td>
            <td class="num">{row.in_use}</td>
            <td class="num" class:shortage=short>
                {row.balance}
                {short.then(|| view! { " " <span class="shortage-label">"short"</span> })}
            </td>
            <td class="nowrap">{expires}</td>
            <td>{alert_badge(row.alert)}</td>
            <td class="actions">{button}</td>
        </tr>
        {form}
    }
}
