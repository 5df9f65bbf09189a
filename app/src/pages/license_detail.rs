//! One license in the Licenses tab (`?license=<id>`): its standing, lots (expired ones marked), usage
//! per virtual account as a chart, the product instances using it and its transfer history.

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::licenses::get_license;
use crate::components::badge::badge;
use crate::components::errors::LoadError;
use crate::components::history_chart::HistoryChart;
use crate::components::transfer_form::{TransferButton, TransferForm, Transfers};
use crate::components::usage_chart::UsageChart;
use crate::domain::licenses::LotState;
use crate::format;
use crate::links::{LicensesView, Tab};
use crate::model::{LicenseDetail, LicenseInPool};
use crate::pages::licenses_tab::{alert_badge, expires_text};

/// The detail of `license` in the pool of `transfers`, with its transfer form.
#[component]
pub fn LicenseDetailView(
    license: i64,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let pool = transfers.pool;
    let version = transfers.action.version();
    let detail = Resource::new(
        move || (pool, license, version.get()),
        |(pool, license, _)| get_license(LicenseInPool { pool, license }),
    );
    view! {
        <p><a href=Tab::Licenses.href(pool)>"← All licenses"</a></p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let transfers = transfers.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => Either::Left(view! { <DetailBody detail transfers transfer /> }),
                        Err(error) => Either::Right(view! { <LoadError error /> }),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn DetailBody(
    detail: LicenseDetail,
    transfers: Transfers,
    transfer: Memo<Option<i64>>,
) -> impl IntoView {
    let LicenseDetail {
        row,
        lots,
        usage,
        instances,
        more_instances,
        transfers: history,
        history: usage_history,
    } = detail;
    let pool = transfers.pool;
    let id = row.license_id.unwrap_or_default();
    let here = LicensesView::license_href(pool, id);
    let params = LicensesView::license_pairs(pool, id);
    let label = format!("{} ({})", row.name, row.tag);
    let most = row.transferable;
    let transfer_view = transfers.allowed.then(|| {
        let transfers = transfers.clone();
        view! {
            <TransferButton params license=id />
            {move || (transfer.get() == Some(id)).then(|| view! {
                <TransferForm transfers=transfers.clone() license=id label=label.clone() most cancel=here.clone() />
            })}
        }
    });
    let lot_rows = lots
        .into_iter()
        .map(|lot| {
            let expired = lot.state == LotState::Expired;
            view! {
                <tr class:expired=expired>
                    <td class="num">{crate::format::count(lot.quantity)}</td>
                    <td class="nowrap">{format::date(lot.starts_at)}</td>
                    <td class="nowrap">{lot.ends_at.map(format::date).unwrap_or_else(|| "Perpetual".to_owned())}</td>
                    <td>{lot.source_ref}</td>
                    <td>{badge(lot.state)}</td>
                </tr>
            }
        })
        .collect_view();
    let no_instances = instances.is_empty();
    let no_history = history.is_empty();
    let instance_rows = instances
        .into_iter()
        .map(|i| view! { <tr><td>{i.hostname}</td><td class="mono">{i.udi}</td><td class="num">{crate::format::count(i.count)}</td></tr> })
        .collect_view();
    let history_rows = history
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <td class="nowrap">{format::minute(t.at)}</td>
                    <td>{t.from_pool}</td>
                    <td>{t.to_pool}</td>
                    <td class="num">{crate::format::count(t.quantity)}</td>
                    <td>{t.actor}</td>
                </tr>
            }
        })
        .collect_view();
    let expires = expires_text(&row);
    view! {
        <section class="license-detail" aria-labelledby="license-heading">
            <h2 id="license-heading">{row.name.clone()}</h2>
            <dl class="details">
                <dt>"Tag"</dt><dd><code>{row.tag.clone()}</code></dd>
                <dt>"Product Family"</dt><dd>{row.product_family.clone()}</dd>
                <dt>"Purchased"</dt><dd>{row.purchased}</dd>
                <dt>"In Use"</dt><dd>{row.in_use}</dd>
                <dt>"Balance"</dt><dd>{row.balance}{(row.balance < 0).then_some(" short")}</dd>
                <dt>"Expires"</dt><dd>{expires}</dd>
                <dt>"Alert"</dt><dd>{alert_badge(row.alert)}{row.alert.is_none().then_some("—")}</dd>
            </dl>
            <div class="detail-actions">{transfer_view}</div>

            <h3>"Lots"</h3>
            <div class="table-scroll"><table class="table">
                <caption class="sr-only">"Lots"</caption>
                <thead><tr>
                    <th scope="col" class="num">"Quantity"</th><th scope="col">"Start"</th><th scope="col">"End"</th>
                    <th scope="col">"Source"</th><th scope="col">"State"</th>
                </tr></thead>
                <tbody>{lot_rows}</tbody>
            </table></div>

            <h3>"Usage by virtual account"</h3>
            <UsageChart tag=row.tag.clone() rows=usage />

            <h3>"Usage over the last 90 days"</h3>
            <HistoryChart points=usage_history title=format!("{} in this virtual account, last 90 days", row.tag) id="license-history" />

            <h3>"Product instances using it"</h3>
            {if no_instances {
                Either::Left(view! { <p class="empty">"No product instance of this virtual account uses it."</p> })
            } else {
                Either::Right(view! {
                    <div class="table-scroll"><table class="table">
                        <caption class="sr-only">"Product instances using it"</caption>
                        <thead><tr>
                            <th scope="col">"Hostname"</th><th scope="col">"UDI"</th><th scope="col" class="num">"Count"</th>
                        </tr></thead>
                        <tbody>{instance_rows}</tbody>
                    </table></div>
                })
            }}
            {more_instances.then(|| view! { <p class="muted">"Showing the first 50 instances."</p> })}

            <h3>"Transfer history"</h3>
            {if no_history {
                Either::Left(view! { <p class="empty">"No transfers yet."</p> })
            } else {
                Either::Right(view! {
                    <div class="table-scroll"><table class="table">
                        <caption class="sr-only">"Transfer history"</caption>
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"From"</th><th scope="col">"To"</th>
                            <th scope="col" class="num">"Quantity"</th><th scope="col">"Who"</th>
                        </tr></thead>
                        <tbody>{history_rows}</tbody>
                    </table></div>
                })
            }}
        </section>
    }
}
