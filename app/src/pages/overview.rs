//! The Overview, the page after sign-in: for every virtual account the user sees, what it holds and
//! uses and what needs attention, each number a link to the place to act; the totals; and licenses
//! in use against purchased over the last 90 days.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::overview::get_overview;
use crate::components::errors::LoadError;
use crate::components::history_chart::HistoryChart;
use crate::links::{AlertsView, LicensesView, ResolveView, Tab};
use crate::model::{LicenseSort, Overview, OverviewPool, SortDir};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Overview" />
        <div class="page-heading">
            <h1>"Overview"</h1>
        </div>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => Either::Left(view! { <OverviewBody overview /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

/// A count that links to where to act on it ("3 licenses short in West"); zero is plain text.
fn count_link(n: i64, href: String, (one, many): (&str, &str), pool: &str) -> impl IntoView {
    if n == 0 {
        Either::Left(view! { <span class="muted">"0"</span> })
    } else {
        let label = format!("{n} {} in {pool}", if n == 1 { one } else { many });
        Either::Right(
            view! { <a href=href aria-label=label class="count-link">{crate::format::count(n)}</a> },
        )
    }
}

fn by_alert(pool: i64) -> String {
    LicensesView {
        pool,
        sort: LicenseSort::Alert,
        dir: SortDir::Asc,
        page: 1,
        ..Default::default()
    }
    .list_href()
}

#[component]
fn OverviewBody(overview: Overview) -> impl IntoView {
    let sum = |f: fn(&OverviewPool) -> i64| overview.pools.iter().map(f).sum::<i64>();
    let short = sum(|p| p.short);
    let totals = [
        ("Licenses short", short),
        ("Expiring within 90 days", sum(|p| p.expiring)),
        ("Expired", sum(|p| p.expired)),
        ("Instances failing", sum(|p| p.failing)),
        ("Tokens expiring", sum(|p| p.tokens_expiring)),
    ];
    let cards = totals
        .into_iter()
        .map(|(label, n)| {
            view! {
                <div class="stat" class:stat-attention={n > 0}>
                    <dt>{label}</dt>
                    <dd>{n}</dd>
                </div>
            }
        })
        .collect_view();
    let resolve = (short > 0 && overview.can_resolve).then(|| {
        view! {
            <a class="button button-primary" href=ResolveView::default().href()>"Resolve Shortages…"</a>
        }
    });
    let rows = overview
        .pools
        .iter()
        .cloned()
        .map(|p| view! { <PoolRow p /> })
        .collect_view();
    let purchased = sum(|p| p.purchased);
    let in_use = sum(|p| p.in_use);
    let instances = sum(|p| p.instances);
    view! {
        <section aria-labelledby="attention-heading">
            <div class="section-heading">
                <h2 id="attention-heading">"Needs Attention"</h2>
                {resolve}
            </div>
            <dl class="stats">{cards}</dl>
        </section>
        <section aria-labelledby="pools-heading">
            <h2 id="pools-heading">"Virtual Accounts"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Virtual accounts overview">
                <table class="table overview-table">
                    <caption class="sr-only">"Virtual accounts overview"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Virtual Account"</th>
                            <th scope="col" class="num">"Purchased"</th>
                            <th scope="col" class="num">"In Use"</th>
                            <th scope="col" class="num">"Instances"</th>
                            <th scope="col" class="num">"Short"</th>
                            <th scope="col" class="num">"Expiring"</th>
                            <th scope="col" class="num">"Expired"</th>
                            <th scope="col" class="num">"Failing"</th>
                            <th scope="col" class="num">"Tokens Expiring"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"Total"</th>
                            <td class="num">{crate::format::count(purchased)}</td>
                            <td class="num">{crate::format::count(in_use)}</td>
                            <td class="num">{crate::format::count(instances)}</td>
                            <td class="num">{crate::format::count(short)}</td>
                            <td class="num">{crate::format::count(sum(|p| p.expiring))}</td>
                            <td class="num">{crate::format::count(sum(|p| p.expired))}</td>
                            <td class="num">{crate::format::count(sum(|p| p.failing))}</td>
                            <td class="num">{crate::format::count(sum(|p| p.tokens_expiring))}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"Licenses in Use and Purchased, Last 90 Days"</h2>
            <HistoryChart points=overview.history title="Licenses in use and purchased, last 90 days".to_owned() id="overview-history" />
        </section>
    }
}

#[component]
fn PoolRow(p: OverviewPool) -> impl IntoView {
    let id = p.id;
    let name = p.name.clone();
    let alerts = AlertsView {
        pool: Some(id),
        severity: None,
    }
    .href();
    view! {
        <tr>
            <th scope="row"><a href=Tab::General.href(id)>{name.clone()}</a></th>
            <td class="num">{crate::format::count(p.purchased)}</td>
            <td class="num">{crate::format::count(p.in_use)}</td>
            <td class="num">{crate::format::count(p.instances)}</td>
            <td class="num" class:shortage={p.short > 0}>
                {count_link(p.short, by_alert(id), ("license short", "licenses short"), &name)}
            </td>
            <td class="num">{count_link(p.expiring, by_alert(id), ("license expiring", "licenses expiring"), &name)}</td>
            <td class="num">{count_link(p.expired, by_alert(id), ("license expired", "licenses expired"), &name)}</td>
            <td class="num">{count_link(p.failing, alerts.clone(), ("product instance failing", "product instances failing"), &name)}</td>
            <td class="num">{count_link(p.tokens_expiring, Tab::General.href(id), ("token expiring", "tokens expiring"), &name)}</td>
        </tr>
    }
}
