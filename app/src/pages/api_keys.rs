//! The API Keys page (Account menu): the user's keys for the REST API (an account admin sees every
//! key of the account), "New API Key…" (name, scope, expiry, virtual accounts; the key is shown once
//! with a Copy button) and "Revoke". `?new` opens the form, `?revoke=<id>` asks to confirm.

use leptos::either::Either;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::api_keys::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::badge::badge;
use crate::components::copy_button::{select, CopyButton};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::domain::api_keys::{ApiScope, KeyExpiry};
use crate::format;
use crate::links::ApiKeysView;
use crate::model::{ApiKeyList, ApiKeyRow, IssuedKey};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let query = use_query_map();
    let view = Memo::new(move |_| ApiKeysView::of(&*query.read()));
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    // The key just made, shown until the page's address changes (another form or confirmation
    // opens) or "New API Key…" is asked for again; the form closes once it is made.
    let issued = RwSignal::new(None::<IssuedKey>);
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            issued.set(Some(key));
        }
    });
    Effect::new(move |previous: Option<ApiKeysView>| {
        let now = view.get();
        if previous.is_some_and(|p| p != now) {
            issued.set(None);
        }
        now
    });
    view! {
        <Title text="API Keys" />
        <div class="page-heading">
            <h1>"API Keys"</h1>
            <a class="button button-primary" href=ApiKeysView { new: true, ..Default::default() }.href()
                on:click=move |_| issued.set(None)>
                "New API Key…"
            </a>
        </div>
        <p class="hint">
            "A key lets a script use the portal's REST API as you, never with more rights than yours. "
            <a href="/api-reference">"API reference"</a>
        </p>
        <FormError error=action_error(&revoke) />
        {move || issued.get().map(|key| view! { <KeyPanel key /> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(list) => Either::Left(view! {
                        {(view.get().new && issued.get().is_none()).then(|| view! { <NewKeyForm create list=list.clone() /> })}
                        <KeyTable list view=view.get() revoke />
                    }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

/// The key just made, shown once, with a Copy button.
#[component]
fn KeyPanel(key: IssuedKey) -> impl IntoView {
    let field = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            select(&input);
        }
    });
    let label = format!("API key {}", key.row.name);
    let panel = crate::components::outcome::focus_when_mounted();
    view! {
        <div class="card new-token" role="group" tabindex="-1" node_ref=panel aria-label="New API key">
            <p class="status" role="status">
                {format!("API key \"{}\" made. Copy it now: it is shown only once.", key.row.name)}
            </p>
            <div class="field">
                <label for="new-api-key">{label.clone()}</label>
                <div class="copy-row">
                    <input id="new-api-key" type="text" class="mono" readonly value=key.secret.clone()
                        node_ref=field aria-describedby="new-api-key-hint" />
                    <CopyButton text=key.secret.clone() field label="Copy the API key" />
                </div>
                <p class="hint" id="new-api-key-hint">
                    "Send it as "<code>"Authorization: Bearer …"</code>" to "<code>"/api/v1"</code>"."
                </p>
            </div>
        </div>
    }
}

#[component]
fn NewKeyForm(create: ServerAction<CreateApiKey>, list: ApiKeyList) -> impl IntoView {
    let error = action_error(&create);
    let some = RwSignal::new(false);
    let scopes = ApiScope::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=s == ApiScope::Read>{s.label()}</option> })
        .collect_view();
    let expiries = KeyExpiry::CHOICES
        .into_iter()
        .map(|e| {
            view! { <option value=e.as_value() selected=e == KeyExpiry::Days(90)>{e.label()}</option> }
        })
        .collect_view();
    let boxes = list
        .pools
        .into_iter()
        .map(|(id, name)| {
            let box_id = format!("key-pool-{id}");
            view! {
                <div class="checkbox-field">
                    <input type="checkbox" id=box_id.clone() name="pools[]" value=id.to_string()
                        on:change=move |_| some.set(true) />
                    <label for=box_id>{name}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="new-key-heading">
            <h2 id="new-key-heading">"New API Key"</h2>
            <ActionForm action=create attr:novalidate=true><FormId action=create />
                <div class="field">
                    <label for="key-name">"Name"</label>
                    <input id="key-name" name="name" type="text" maxlength="80" required autofocus
                        autocomplete="off" aria-describedby="key-name-hint key-name-error" />
                    <p class="hint" id="key-name-hint">"What uses it, e.g. “inventory sync”."</p>
                    <FieldError error field="name" id="key-name" />
                </div>
                <div class="field">
                    <label for="key-scope">"Scope"</label>
                    <select id="key-scope" name="scope" aria-describedby="key-scope-error">{scopes}</select>
                    <FieldError error field="scope" id="key-scope" />
                </div>
                <div class="field">
                    <label for="key-expires">"Expires"</label>
                    <select id="key-expires" name="expires" aria-describedby="key-expires-error">{expiries}</select>
                    <FieldError error field="expires" id="key-expires" />
                </div>
                <fieldset class="field field-wide" aria-describedby="key-pools-error">
                    <legend>"Virtual Accounts"</legend>
                    <div class="checkbox-field">
                        <input type="radio" id="key-reach-all" name="reach" value="all"
                            checked=move || !some.get() on:change=move |_| some.set(false) />
                        <label for="key-reach-all">"All I can see"</label>
                    </div>
                    <div class="checkbox-field">
                        <input type="radio" id="key-reach-some" name="reach" value="some"
                            checked=move || some.get() on:change=move |_| some.set(true) />
                        <label for="key-reach-some">"Only these:"</label>
                    </div>
                    <div class="indent">{boxes}</div>
                    <FieldError error field="pools" id="key-pools" />
                </fieldset>
                <div class="form-actions">
                    <Submit action=create class="button button-primary" label="Create API Key" />
                    <a class="button button-quiet" href="/api-keys">"Cancel"</a>
                </div>
            </ActionForm>
            <FormError error />
        </section>
    }
}

#[component]
fn KeyTable(
    list: ApiKeyList,
    view: ApiKeysView,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    if list.keys.is_empty() {
        return Either::Left(view! { <p class="empty">"No API keys yet."</p> });
    }
    let rows = list
        .keys
        .into_iter()
        .map(|row| view! { <KeyRowView confirm=view.revoke == Some(row.id) row revoke /> })
        .collect_view();
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="API keys">
            <table class="table api-keys-table">
                <caption class="sr-only">"API keys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Virtual Accounts"</th>
                        <th scope="col" class="col-owner">"Owner"</th>
                        <th scope="col" class="col-created">"Created"</th>
                        <th scope="col">"Last Used"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"State"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    })
}

#[component]
fn KeyRowView(row: ApiKeyRow, confirm: bool, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let name = row.name.clone();
    let pools = row
        .pools
        .clone()
        .map_or("All".to_owned(), |names| names.join(", "));
    let confirm_row = confirm.then(|| {
        view! {
            <tr class="confirm-row">
                <td colspan="10">
                    <div class="confirm" role="group" aria-label=format!("Revoke {name}")>
                        <span>{format!("Revoke the API key \"{name}\"? Scripts using it stop working at once.")}</span>
                        <ActionForm action=revoke attr:class="inline-form"><FormId action=revoke />
                            <input type="hidden" name="id" value=row.id.to_string() />
                            <Submit action=revoke class="button button-danger" label="Revoke" />
                        </ActionForm>
                        <a class="button button-quiet" href="/api-keys">"Cancel"</a>
                    </div>
                </td>
            </tr>
        }
    });
    let action = row.can_revoke.then(|| {
        let href = ApiKeysView {
            revoke: Some(row.id),
            ..Default::default()
        }
        .href();
        view! {
            <a class="button button-small button-danger-quiet" href=href
                aria-label=format!("Revoke {}", row.name)>"Revoke"</a>
        }
    });
    view! {
        <tr>
            <th scope="row">{row.name.clone()}</th>
            <td class="mono">{format!("{}…", row.prefix)}</td>
            <td>{row.scope.label()}</td>
            <td>{pools}</td>
            <td class="col-owner">{row.owner.clone()}</td>
            <td class="col-created">{format::minute(row.created_at)}</td>
            <td>{row.last_used_at.map_or("Never".to_owned(), format::minute)}</td>
            <td>{row.expires_at.map_or("Never".to_owned(), format::minute)}</td>
            <td>{badge(row.state)}</td>
            <td class="actions">{action}</td>
        </tr>
        {confirm_row}
    }
}
