//! The Product Instances tab of the Inventory: the pool's registered devices, searched by the start of
//! their hostname or serial, sorted by header links and paged by a cursor, all through GET parameters
//! so that it works without JavaScript. `?instance=<id>` shows one instance (`&transfer=1` opens its
//! transfer form); `?remove=<id>` asks to confirm a removal above the list, where the page stays
//! once the instance is gone.

use leptos::either::{Either, EitherOf3, EitherOf4};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::instances::{get_instance, list_instances, RemoveInstance, TransferInstance};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::components::query::urlencode;
use crate::error::AppError;
use crate::model::{InstanceDetail, InstancePage, InstanceRow, Me, PoolRef};

/// The orders the list offers (`?sort=`), as the server function names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Hostname,
    Serial,
    LastContact,
    Registered,
}

impl SortBy {
    pub const ALL: [SortBy; 4] = [
        SortBy::Hostname,
        SortBy::Serial,
        SortBy::LastContact,
        SortBy::Registered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Hostname => "hostname",
            SortBy::Serial => "serial",
            SortBy::LastContact => "last_contact",
            SortBy::Registered => "registered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Hostname => "Name",
            SortBy::Serial => "Serial",
            SortBy::LastContact => "Last Contact",
            SortBy::Registered => "Registered",
        }
    }

    pub fn parse(s: &str) -> SortBy {
        SortBy::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .unwrap_or(SortBy::Hostname)
    }

    /// Times sort newest first when their header is first clicked; names A to Z.
    fn starts_descending(self) -> bool {
        matches!(self, SortBy::LastContact | SortBy::Registered)
    }
}

/// The list's GET parameters, as read from the URL and written into links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub pool: i64,
    pub q: String,
    pub sort: SortBy,
    pub desc: bool,
    /// The cursor of the page shown (the previous page's `next`); None for the first page.
    pub after: Option<String>,
}

impl ListParams {
    pub fn href(&self) -> String {
        let mut href = format!(
            "/inventory?va={}&tab=instances&q={}&sort={}&dir={}",
            self.pool,
            urlencode(&self.q),
            self.sort.as_str(),
            if self.desc { "desc" } else { "asc" }
        );
        if let Some(after) = &self.after {
            href.push_str(&format!("&after={}", urlencode(after)));
        }
        href
    }
}

/// The badge class of an instance's (or an entitlement's) status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "Authorized" => "badge badge-success",
        "Out of Compliance" | "Failed to Connect" => "badge badge-danger",
        "Authorization Expired" => "badge badge-warning",
        _ => "badge badge-neutral",
    }
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn instance_href(pool: i64, id: i64) -> String {
    format!("/inventory?va={pool}&tab=instances&instance={id}")
}

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
    let param = move |key: &str| query.read().get(key).unwrap_or_default();
    let instance = Memo::new(move |_| param("instance").parse::<i64>().ok());
    let transferring = Memo::new(move |_| param("transfer") == "1");
    let removing = Memo::new(move |_| param("remove").parse::<i64>().ok());
    let params = Memo::new(move |_| {
        let sort = SortBy::parse(&param("sort"));
        let dir = param("dir");
        ListParams {
            pool,
            q: param("q"),
            sort,
            desc: if dir.is_empty() {
                sort.starts_descending()
            } else {
                dir == "desc"
            },
            after: Some(param("after")).filter(|a| !a.is_empty()),
        }
    });
    move || match instance.get() {
        Some(id) => Either::Left(view! { <DetailView id actions transferring /> }),
        None => Either::Right(view! { <ListView params actions removing /> }),
    }
}

#[component]
fn ListView(
    params: Memo<ListParams>,
    actions: Actions,
    removing: Memo<Option<i64>>,
) -> impl IntoView {
    let removed = actions.remove.version();
    let list = Resource::new(
        move || (params.get(), removed.get()),
        |(p, _)| {
            let dir = if p.desc { "desc" } else { "asc" };
            list_instances(
                p.pool,
                p.q,
                p.sort.as_str().to_owned(),
                dir.to_owned(),
                p.after,
            )
        },
    );
    let sort_options = move || {
        let current = params.get().sort;
        SortBy::ALL
            .into_iter()
            .map(|s| view! { <option value=s.as_str() selected=s == current>{s.label()}</option> })
            .collect_view()
    };
    view! {
        <h2 class="sr-only">"Product Instances"</h2>
        {move || removing.get().map(|id| view! { <RemoveConfirm id actions /> })}
        <Form method="GET" action="/inventory" attr:class="filters" attr:role="search">
            <input type="hidden" name="va" value=actions.pool.to_string() />
            <input type="hidden" name="tab" value="instances" />
            <div class="field">
                <label for="instance-search">"Search"</label>
                <input id="instance-search" name="q" type="search" value=move || params.get().q
                    placeholder="Start of hostname or serial" />
            </div>
            <div class="field">
                <label for="instance-sort">"Sort by"</label>
                <select id="instance-sort" name="sort">{sort_options}</select>
            </div>
            <div class="field">
                <label for="instance-dir">"Order"</label>
                <select id="instance-dir" name="dir">
                    <option value="asc" selected=move || !params.get().desc>"Ascending"</option>
                    <option value="desc" selected=move || params.get().desc>"Descending"</option>
                </select>
            </div>
            <button type="submit" class="button">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => Either::Left(view! { <InstanceTable page params=params.get_untracked() /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn InstanceTable(page: InstancePage, params: ListParams) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if !params.q.trim().is_empty() {
            "No product instances match."
        } else if params.after.is_some() {
            "No more product instances."
        } else {
            "No product instances are registered in this virtual account yet."
        };
        let first = params.after.is_some().then(|| {
            let href = ListParams {
                after: None,
                ..params.clone()
            }
            .href();
            view! { <a href=href>"First page"</a> }
        });
        return Either::Left(view! { <p class="empty">{text}</p> {first} });
    }
    let header = |sort: SortBy, label: &'static str| {
        let active = params.sort == sort;
        let desc = if active {
            !params.desc
        } else {
            sort.starts_descending()
        };
        let link = ListParams {
            sort,
            desc,
            after: None,
            ..params.clone()
        };
        let (aria, arrow) = match (active, params.desc) {
            (false, _) => (None, ""),
            (true, false) => (Some("ascending"), " ▲"),
            (true, true) => (Some("descending"), " ▼"),
        };
        view! {
            <th scope="col" aria-sort=aria>
                <a href=link.href()>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <InstanceRowView row pool=params.pool /> })
        .collect_view();
    let first = params.after.is_some().then(|| {
        let href = ListParams {
            after: None,
            ..params.clone()
        }
        .href();
        view! { <a href=href>"First page"</a> }
    });
    let next = page.next.map(|next| {
        let href = ListParams {
            after: Some(next),
            ..params.clone()
        }
        .href();
        view! { <a href=href>"Next page"</a> }
    });
    let registered = (params.sort == SortBy::Registered).then(|| {
        let order = if params.desc { "newest" } else { "oldest" };
        view! { <p class="muted">{format!("Sorted by registration, {order} first.")}</p> }
    });
    Either::Right(view! {
        {registered}
        <table class="table instances-table">
            <caption class="sr-only">"Product instances"</caption>
            <thead>
                <tr>
                    {header(SortBy::Hostname, "Name")}
                    <th scope="col">"Product"</th>
                    <th scope="col">"UDI PID"</th>
                    {header(SortBy::Serial, "UDI Serial")}
                    {header(SortBy::LastContact, "Last Contact")}
                    <th scope="col">"Status"</th>
                    <th scope="col">"Licenses"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Product instance pages">{first}{next}</nav>
    })
}

#[component]
fn InstanceRowView(row: InstanceRow, pool: i64) -> impl IntoView {
    let licenses = if row.licenses.is_empty() {
        "—".to_owned()
    } else {
        row.licenses
    };
    view! {
        <tr>
            <th scope="row"><a href=instance_href(pool, row.id)>{row.hostname}</a></th>
            <td>{row.product}</td>
            <td class="mono">{row.pid}</td>
            <td class="mono">{row.sn}</td>
            <td class="nowrap">{time(row.last_contact_at)}</td>
            <td><span class=status_class(&row.status)>{row.status.clone()}</span></td>
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
                        let udi = format!("PID:{},SN:{}", d.row.pid, d.row.sn);
                        EitherOf4::A(view! {
                            <div class="confirm card" role="group" aria-label=format!("Remove {name}")>
                                <span>
                                    {format!("Remove product instance \"{name}\" ({udi})? Its licenses are released, and the device has to register again.")}
                                </span>
                                <ActionForm action=actions.remove attr:class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <button type="submit" class="button button-danger">"Remove"</button>
                                </ActionForm>
                                <a class="button button-quiet" href=instance_href(actions.pool, id)>"Cancel"</a>
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

#[component]
fn DetailView(id: i64, actions: Actions, transferring: Memo<bool>) -> impl IntoView {
    let moved = actions.transfer.version();
    let detail = Resource::new(move || (id, moved.get()), |(id, _)| get_instance(id));
    let list = format!("/inventory?va={}&tab=instances", actions.pool);
    view! {
        <p><a href=list>"← All product instances"</a></p>
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
    let here = instance_href(actions.pool, id);
    // After a transfer (or when opened from another pool's link) the instance lives elsewhere: say
    // where, and offer nothing to change from here.
    let elsewhere = (pool_id != actions.pool).then(|| {
        let href = instance_href(pool_id, id);
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
            view! { <a class="button" href=format!("{here}&transfer=1")>"Transfer…"</a> }
        });
        let form = move || {
            (transferring.get() && !targets.is_empty()).then(|| {
                view! { <TransferForm id name=name.clone() targets=targets.clone() actions cancel=here.clone() /> }
            })
        };
        let remove = format!("/inventory?va={}&tab=instances&remove={id}", actions.pool);
        view! {
            <div class="detail-actions">
                {transfer_button}
                <a class="button button-danger-quiet" href=remove>"Remove…"</a>
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
                    <td><span class=status_class(&e.status)>{e.status.clone()}</span></td>
                </tr>
            }
        })
        .collect_view();
    let no_entitlements = entitlements.is_empty();
    let event_rows = events
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="nowrap">{time(e.at)}</td>
                    <td><span class="badge badge-neutral">{e.kind_label.clone()}</span></td>
                    <td>{e.actor.clone()}</td>
                    <td>{e.message.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let no_events = events.is_empty();
    view! {
        <section class="instance-detail" aria-labelledby="instance-heading">
            <div class="section-heading">
                <h2 id="instance-heading">{row.hostname.clone()}</h2>
                <span class=status_class(&row.status)>{row.status.clone()}</span>
            </div>
            {elsewhere}
            <dl class="details">
                <dt>"Hostname"</dt>
                <dd>{row.hostname.clone()}</dd>
                <dt>"Product"</dt>
                <dd>{row.product.clone()}</dd>
                <dt>"UDI"</dt>
                <dd class="mono">{format!("PID:{},SN:{}", row.pid, row.sn)}</dd>
                <dt>"Software Version"</dt>
                <dd>{software_version.unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Virtual Account"</dt>
                <dd>{pool_name.clone()}</dd>
                <dt>"Registered"</dt>
                <dd>{time(registered_at)}</dd>
                <dt>"Last Contact"</dt>
                <dd>{time(row.last_contact_at)}</dd>
                <dt>"ID Certificate Serial"</dt>
                <dd class="mono">{id_cert_serial}</dd>
                <dt>"ID Certificate Expires"</dt>
                <dd>{time(id_cert_expires_at)}</dd>
                <dt>"Authorization Expires"</dt>
                <dd>{auth_expires_at.map(time).unwrap_or_else(|| "Not authorized yet".to_owned())}</dd>
                <dt>"Status"</dt>
                <dd><span class=status_class(&row.status)>{row.status.clone()}</span></dd>
                <dt>"Licenses"</dt>
                <dd>{if row.licenses.is_empty() { "—".to_owned() } else { row.licenses.clone() }}</dd>
            </dl>
            {controls}

            <h3 id="entitlements-heading">"Entitlements"</h3>
            <table class="table" aria-labelledby="entitlements-heading">
                <thead>
                    <tr>
                        <th scope="col">"Tag"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col" class="num">"Count"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{entitlement_rows}</tbody>
            </table>
            {no_entitlements.then(|| view! { <p class="empty">"It uses no licenses."</p> })}

            <h3 id="history-heading">"Event history"</h3>
            <table class="table" aria-labelledby="history-heading">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Event"</th>
                    </tr>
                </thead>
                <tbody>{event_rows}</tbody>
            </table>
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
    let options = targets
        .into_iter()
        .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
        .collect_view();
    view! {
        <section class="transfer-form" aria-label=format!("Transfer {name}")>
            <h3>"Transfer to another virtual account"</h3>
            <ActionForm action=actions.transfer attr:class="form-row">
                <input type="hidden" name="id" value=id.to_string() />
                <div class="field">
                    <label for="instance-target">"Target Virtual Account"</label>
                    <select id="instance-target" name="target" required aria-invalid=invalid
                        aria-describedby="instance-target-error">
                        {options}
                    </select>
                    <FieldError error field="target" id="instance-target" />
                </div>
                <button type="submit" class="button button-primary">"Transfer"</button>
                <a class="button button-quiet" href=cancel>"Cancel"</a>
            </ActionForm>
            <FormError error />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_search_and_order_and_encode_the_cursor() {
        let p = ListParams {
            pool: 2,
            q: "e2e router".into(),
            sort: SortBy::LastContact,
            desc: true,
            after: None,
        };
        assert_eq!(
            p.href(),
            "/inventory?va=2&tab=instances&q=e2e%20router&sort=last_contact&dir=desc"
        );
        let next = ListParams {
            after: Some("2026-01-01T00:00:00+00:00\u{1f}7".into()),
            ..p
        };
        assert!(next
            .href()
            .ends_with("&after=2026-01-01T00%3A00%3A00%2B00%3A00%1F7"));
    }

    #[test]
    fn unknown_orders_sort_by_name() {
        assert_eq!(SortBy::parse("serial"), SortBy::Serial);
        assert_eq!(SortBy::parse("bogus"), SortBy::Hostname);
    }

    #[test]
    fn statuses_have_their_colours() {
        assert_eq!(status_class("Authorized"), "badge badge-success");
        assert_eq!(status_class("Authorization Expired"), "badge badge-warning");
        assert_eq!(status_class("Out of Compliance"), "badge badge-danger");
    }
}
