//! The Alerts page: what needs attention in the virtual accounts the user sees, most severe first,
//! each with a link to the place to act. Filtered by virtual account and severity through a GET form,
//! so that it works without JavaScript.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::alerts::list_alerts;
use crate::components::badge::badge;
use crate::components::errors::LoadError;
use crate::domain::alerts::{Alert, AlertKind, AlertSource, Severity};
use crate::links::{AlertsView, InstancesView, LicensesView, Tab};
use crate::model::{AlertQuery, InstanceSort, Me, SortDir};

/// Where the user acts on an alert: the license in its pool's Licenses tab, the instance (or the
/// pool's instances, the silent ones first), or the pool's tokens on the General tab.
pub fn alert_href(alert: &Alert) -> String {
    let pool = alert.pool_id;
    match &alert.source {
        AlertSource::License {
            license_id: Some(id),
            ..
        } => LicensesView::license_href(pool, *id),
        AlertSource::License { tag, .. } => LicensesView::search_href(pool, tag),
        AlertSource::Instance { id, .. } => InstancesView::instance_href(pool, *id, false),
        AlertSource::Instances { .. } if alert.kind == AlertKind::InstanceFailedToConnect => {
            InstancesView::sorted_href(pool, InstanceSort::LastContact, SortDir::Asc)
        }
        AlertSource::Instances { .. } => Tab::Instances.href(pool),
        AlertSource::Token { .. } => Tab::General.href(pool),
        AlertSource::Satellite { .. } => "/satellites".to_owned(),
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let pools = use_context::<Me>().map(|m| m.pools).unwrap_or_default();
    let query = use_query_map();
    let view = Memo::new(move |_| AlertsView::of(&*query.read()));
    let pool = move || view.get().pool;
    let severity = move || view.get().severity;
    let alerts = Resource::new(
        move || view.get(),
        |v| {
            list_alerts(AlertQuery {
                pool: v.pool,
                severity: v.severity.map(Severity::as_str).unwrap_or("").to_owned(),
            })
        },
    );
    let pool_options = pools
        .into_iter()
        .map(|p| {
            view! { <option value=p.id.to_string() selected=move || pool() == Some(p.id)>{p.name}</option> }
        })
        .collect_view();
    let severity_options = Severity::ALL
        .into_iter()
        .map(|s| {
            view! { <option value=s.as_str() selected=move || severity() == Some(s)>{s.label()}</option> }
        })
        .collect_view();
    view! {
        <Title text="Alerts" />
        <div class="page-heading">
            <h1>"Alerts"</h1>
        </div>
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/alerts" attr:class="filters" attr:aria-label="Filter alerts">
            <div class="field">
                <label for="alert-pool">"Virtual account"</label>
                <select id="alert-pool" name="va">
                    <option value="" selected=move || pool().is_none()>"All virtual accounts"</option>
                    {pool_options}
                </select>
            </div>
            <div class="field">
                <label for="alert-severity">"Severity"</label>
                <select id="alert-severity" name="severity">
                    <option value="" selected=move || severity().is_none()>"All severities"</option>
                    {severity_options}
                </select>
            </div>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match alerts.await {
                    Ok(alerts) => Either::Left(view! { <AlertTable alerts /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

/// "3 alerts: 1 major, 2 minor".
fn summary(alerts: &[Alert]) -> String {
    let parts: Vec<String> = Severity::ALL
        .into_iter()
        .filter_map(|s| {
            let n = alerts.iter().filter(|a| a.severity == s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    let total = match alerts.len() {
        1 => "1 alert".to_owned(),
        n => format!("{n} alerts"),
    };
    format!("{total}: {}", parts.join(", "))
}

#[component]
fn AlertTable(alerts: Vec<Alert>) -> impl IntoView {
    if alerts.is_empty() {
        return Either::Left(
            view! { <p class="empty">"No alerts: nothing needs your attention."</p> },
        );
    }
    let summary = summary(&alerts);
    let rows = alerts
        .into_iter()
        .map(|a| view! { <AlertRow alert=a /> })
        .collect_view();
    Either::Right(view! {
        <p class="alerts-summary">{summary}</p>
        <div class="table-scroll"><table class="table alerts-table">
            <caption class="sr-only">"Alerts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Severity"</th>
                    <th scope="col">"Alert"</th>
                    <th scope="col">"Source"</th>
                    <th scope="col">"Virtual Account"</th>
                    <th scope="col">"Action Due"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    })
}

#[component]
fn AlertRow(alert: Alert) -> impl IntoView {
    let href = alert_href(&alert);
    let label = alert.source.label();
    let detail = match &alert.source {
        AlertSource::License { tag, .. } => {
            Some(view! { <code class="tag">{tag.clone()}</code> }.into_any())
        }
        AlertSource::Token { description, .. } if !description.is_empty() => {
            Some(view! { <span class="muted">{description.clone()}</span> }.into_any())
        }
        _ => None,
    };
    let overdue =
        alert.due_text.starts_with("Overdue") || alert.kind == AlertKind::InsufficientLicenses;
    view! {
        <tr class=format!("alert-{}", alert.severity.as_str())>
            <td>{badge(alert.severity)}</td>
            <th scope="row">
                <span class="alert-kind">{alert.kind.label()}</span>
                <span class="alert-message">{alert.message}</span>
            </th>
            <td class="alert-source">
                <a href=href>{label}</a>
                {detail.map(|d| view! { <br /> {d} })}
            </td>
            <td>{alert.pool}</td>
            <td class="nowrap" class:overdue=overdue>{alert.due_text}</td>
        </tr>
    }
}
