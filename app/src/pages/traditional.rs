//! The Traditional Licenses page: PAK-style licenses the operator provisioned for the account, and
//! "Convert to Smart Licensing…", which makes the quantity a smart license lot in a chosen virtual
//! account, once. `?convert=<id>` opens the conversion of one.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::satellites::{list_traditional, ConvertTraditional};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::format;
use crate::links::TraditionalView;
use crate::model::{TraditionalList, TraditionalRow};

#[component]
pub fn TraditionalPage() -> impl IntoView {
    let convert = ServerAction::<ConvertTraditional>::new();
    let query = use_query_map();
    let view = Memo::new(move |_| TraditionalView::of(&*query.read()));
    let list = Resource::new(move || convert.version().get(), |_| list_traditional());
    view! {
        <Title text="Traditional Licenses" />
        <div class="page-heading">
            <h1>"Traditional Licenses"</h1>
        </div>
        <p class="hint">
            "Licenses bought before Smart Licensing, by product authorization key (PAK). Converting one "
            "makes its quantity smart licenses in a virtual account, once."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => Either::Left(view! { <TraditionalTable list open=view.get().convert convert /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn TraditionalTable(
    list: TraditionalList,
    open: Option<i64>,
    convert: ServerAction<ConvertTraditional>,
) -> impl IntoView {
    if list.licenses.is_empty() {
        return Either::Left(view! { <p class="empty">"No traditional licenses."</p> });
    }
    let pools = list.pools;
    let rows = list
        .licenses
        .into_iter()
        .map(|row| {
            let confirm = (open == Some(row.id)).then(|| {
                view! { <ConvertRow row=row.clone() pools=pools.clone() convert /> }
            });
            view! { <TraditionalRowView row can_convert=!pools.is_empty() /> {confirm} }
        })
        .collect_view();
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Traditional licenses">
            <table class="table">
                <caption class="sr-only">"Traditional licenses"</caption>
                <thead>
                    <tr>
                        <th scope="col">"PAK"</th>
                        <th scope="col">"License"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Provisioned"</th>
                        <th scope="col">"Smart Licensing"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    })
}

#[component]
fn TraditionalRowView(row: TraditionalRow, can_convert: bool) -> impl IntoView {
    let state = match row.converted.clone() {
        Some((pool, at, by)) => Either::Left(view! {
            <span>{format!("Converted into {pool} on {} by {by}", format::minute(at))}</span>
        }),
        None if can_convert => Either::Right(Some(view! {
            <a class="button button-small" href=TraditionalView { convert: Some(row.id) }.href()
                aria-label=format!("Convert {} to Smart Licensing…", row.pak)>
                "Convert to Smart Licensing…"
            </a>
        })),
        None => Either::Right(None),
    };
    view! {
        <tr>
            <th scope="row" class="mono">{row.pak.clone()}</th>
            <td>{row.tag.clone()}<span class="via">{row.name.clone()}</span></td>
            <td class="num">{row.quantity}</td>
            <td>{row.description.clone()}</td>
            <td>{format::minute(row.provisioned_at)}</td>
            <td>{state}</td>
        </tr>
    }
}

/// The conversion's form: which virtual account receives the licenses.
#[component]
fn ConvertRow(
    row: TraditionalRow,
    pools: Vec<(i64, String)>,
    convert: ServerAction<ConvertTraditional>,
) -> impl IntoView {
    let error = action_error(&convert);
    let options = pools
        .into_iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
        .collect_view();
    view! {
        <tr class="confirm-row">
            <td colspan="6">
                <ActionForm action=convert attr:class="form-row" attr:novalidate=true><FormId action=convert />
                    <input type="hidden" name="id" value=row.id.to_string() />
                    <p>{format!("Convert {} × {} (PAK {}) to Smart Licensing. This is done once.", row.quantity, row.tag, row.pak)}</p>
                    <div class="field">
                        <label for="convert-pool">"Virtual Account"</label>
                        <select id="convert-pool" name="pool" aria-describedby="convert-pool-error">{options}</select>
                        <FieldError error field="pool" id="convert-pool" />
                        <FieldError error field="id" id="convert" />
                    </div>
                    <div class="form-actions">
                        <Submit action=convert class="button button-primary" label="Convert" />
                        <a class="button button-quiet" href="/traditional-licenses">"Cancel"</a>
                    </div>
                </ActionForm>
                <FormError error />
            </td>
        </tr>
    }
}
