//! The Virtual Accounts page: list, create, rename and describe, make default, delete. Every form is a
//! plain POST underneath, so the page works without JavaScript; `?edit=` and `?delete=` pick the row
//! being edited or confirmed.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use crate::components::outcome::Outcome;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::pools::{list_pools, CreatePool, DeletePool, SetDefaultPool, UpdatePool};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::components::layout::PoolsVersion;
use crate::links::{pool_href, PoolsView, Tab};
use crate::model::{Me, PoolRow};

#[component]
pub fn VirtualAccountsPage() -> impl IntoView {
    let me = use_context::<Me>();
    let manages = me.as_ref().is_some_and(|m| m.manages_pools);
    let account = me.map(|m| m.smart_account).unwrap_or_default();
    let create = ServerAction::<CreatePool>::new();
    let update = ServerAction::<UpdatePool>::new();
    let make_default = ServerAction::<SetDefaultPool>::new();
    let delete = ServerAction::<DeletePool>::new();
    let versions = move || {
        (
            create.version().get(),
            update.version().get(),
            make_default.version().get(),
            delete.version().get(),
        )
    };
    let pools = Resource::new(versions, |_| list_pools());
    if let Some(PoolsVersion(version)) = use_context::<PoolsVersion>() {
        // The header's selector lists the pools too: refresh it after every change here.
        Effect::watch(versions, move |_, _, _| version.update(|v| *v += 1), false);
    }
    let query = use_query_map();
    let view = Memo::new(move |_| PoolsView::of(&*query.read()));
    let editing = move || view.get().edit;
    let confirming = move || view.get().delete;
    let row_error = Signal::derive(move || {
        action_error(&make_default)
            .get()
            .or_else(|| action_error(&delete).get())
    });
    let actions = RowActions {
        update,
        make_default,
        delete,
        manages,
    };
    view! {
        <Title text=format!("Virtual Accounts · {account}") />
        <div class="page-heading">
            <h1>"Virtual Accounts"</h1>
        </div>
        <FormError error=row_error />
        {manages.then(|| view! { <CreateForm create /> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match pools.await {
                    Ok(rows) => Either::Left(view! {
                        <PoolTable rows actions editing=editing() confirming=confirming() />
                    }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn CreateForm(create: ServerAction<CreatePool>) -> impl IntoView {
    let error = action_error(&create);
    let form = NodeRef::<leptos::html::Form>::new();
    let query = use_query_map();
    let created = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|row| row.name)
            .or_else(|| PoolsView::of(&*query.read()).created)
    };
    Effect::new(move |_| {
        if created().is_some() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    view! {
        <section class="card" aria-labelledby="create-heading">
            <h2 id="create-heading">"New virtual account"</h2>
            <ActionForm action=create node_ref=form attr:class="form-row"><FormId action=create />
                <div class="field">
                    <label for="create-name">"Name"</label>
                    <input id="create-name" name="name" type="text" maxlength="64" required aria-describedby="create-name-error" />
                    <FieldError error field="name" id="create-name" />
                </div>
                <div class="field field-wide">
                    <label for="create-description">"Description"</label>
                    <input id="create-description" name="description" type="text" maxlength="500" aria-describedby="create-description-error" />
                    <FieldError error field="description" id="create-description" />
                </div>
                <Submit action=create class="button button-primary" label="Create Virtual Account" />
            </ActionForm>
            <FormError error />
            <Outcome message=Signal::derive(move || {
                created().map(|name| format!("Virtual account \"{name}\" created."))
            }) />
        </section>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    update: ServerAction<UpdatePool>,
    make_default: ServerAction<SetDefaultPool>,
    delete: ServerAction<DeletePool>,
    manages: bool,
}

#[component]
fn PoolTable(
    rows: Vec<PoolRow>,
    actions: RowActions,
    editing: Option<i64>,
    confirming: Option<i64>,
) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|row| {
            if editing == Some(row.id) && row.can_change {
                Either::Left(view! { <EditRow row update=actions.update /> })
            } else {
                let confirm = confirming == Some(row.id) && actions.manages && !row.is_default;
                Either::Right(view! { <PoolRowView row actions confirm /> })
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll"><table class="table">
            <caption class="sr-only">"Virtual accounts"</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col" class="num">"Licenses"</th>
                    <th scope="col" class="num">"Tokens"</th>
                    <th scope="col" class="num">"Product Instances"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table></div>
    }
}

#[component]
fn PoolRowView(row: PoolRow, actions: RowActions, confirm: bool) -> impl IntoView {
    let id = row.id;
    let name = row.name.clone();
    let rename_label = format!("Rename {}", row.name);
    let default_label = format!("Make {} the default", row.name);
    let delete_label = format!("Delete {}", row.name);
    let holds = row.licenses > 0 || row.tokens > 0 || row.instances > 0;
    let empty_first = (confirm && holds).then(|| {
        let what = [
            (row.licenses, "license", "licenses"),
            (row.tokens, "token", "tokens"),
            (row.instances, "product instance", "product instances"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{} {}", crate::format::count(n), if n == 1 { one } else { many }))
        .collect::<Vec<_>>()
        .join(", ");
        view! {
            <tr class="confirm-row">
                <td colspan="6">
                    <div class="confirm" role="group" aria-label=format!("Delete {name}")>
                        <span>
                            {format!("\"{name}\" still holds {what}. A virtual account is deleted only when it is empty: ")}
                            <a href=Tab::Licenses.href(id)>"transfer its licenses"</a>", "
                            <a href=Tab::General.href(id)>"delete its tokens"</a>" and "
                            <a href=Tab::Instances.href(id)>"transfer its product instances"</a>
                            " first."
                        </span>
                        <a class="button button-quiet" href="/virtual-accounts">"Close"</a>
                    </div>
                </td>
            </tr>
        }
    });
    let confirm_row = (confirm && !holds).then(|| {
        view! {
            <tr class="confirm-row">
                <td colspan="6">
                    <div class="confirm" role="group" aria-label=format!("Delete {name}")>
                        <span>{format!("Delete \"{name}\"? This cannot be undone.")}</span>
                        <ActionForm action=actions.delete attr:class="inline-form"><FormId action=actions.delete />
                            <input type="hidden" name="id" value=id.to_string() />
                            <Submit action=actions.delete class="button button-danger" label="Delete" />
                        </ActionForm>
                        <a class="button button-quiet" href="/virtual-accounts">"Cancel"</a>
                    </div>
                </td>
            </tr>
        }
    });
    view! {
        <tr>
            <th scope="row">
                <a href=pool_href(id)>{row.name.clone()}</a>
                {row.is_default.then(|| view! { " " <span class="badge badge-info">"Default"</span> })}
            </th>
            <td>{row.description.clone()}</td>
            <td class="num">{crate::format::count(row.licenses)}</td>
            <td class="num">{crate::format::count(row.tokens)}</td>
            <td class="num">{crate::format::count(row.instances)}</td>
            <td class="actions">
                {row.can_change.then(|| view! {
                    <a class="button button-small" href=PoolsView { edit: Some(id), ..PoolsView::default() }.href()
                        aria-label=rename_label>"Rename"</a>
                })}
                {(actions.manages && !row.is_default).then(|| view! {
                    <ActionForm action=actions.make_default attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <Submit action=actions.make_default class="button button-small" aria_label=default_label label="Make default" />
                    </ActionForm>
                    <a class="button button-small button-danger-quiet" href=PoolsView { delete: Some(id), ..PoolsView::default() }.href()
                        aria-label=delete_label>"Delete…"</a>
                })}
                {(!row.can_change && !actions.manages).then(|| view! {
                    <span class="muted">"View only"<span class="sr-only">": your role lets you see this virtual account, not change it"</span></span>
                })}
            </td>
        </tr>
        {empty_first}
        {confirm_row}
    }
}

#[component]
fn EditRow(row: PoolRow, update: ServerAction<UpdatePool>) -> impl IntoView {
    let error = action_error(&update);
    view! {
        <tr class="edit-row">
            <td colspan="6">
                <ActionForm action=update attr:class="form-row">
                    <input type="hidden" name="id" value=row.id.to_string() />
                    <div class="field">
                        <label for="edit-name">"New name"</label>
                        <input id="edit-name" name="name" type="text" maxlength="64" required
                            value=row.name.clone() aria-describedby="edit-name-error" autofocus />
                        <FieldError error field="name" id="edit-name" />
                    </div>
                    <div class="field field-wide">
                        <label for="edit-description">"New description"</label>
                        <input id="edit-description" name="description" type="text" maxlength="500"
                            value=row.description.clone() aria-describedby="edit-description-error" />
                        <FieldError error field="description" id="edit-description" />
                    </div>
                    <Submit action=update class="button button-primary" label="Save" />
                    <a class="button button-quiet" href="/virtual-accounts">"Cancel"</a>
                </ActionForm>
                <FormError error />
            </td>
        </tr>
    }
}
