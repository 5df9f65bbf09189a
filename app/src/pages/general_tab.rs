//! The General tab of the Inventory: the virtual account's details and its registration tokens.
//! Every form is a plain POST and every view a plain link, so the tab works without JavaScript:
//! `?new_token=1` opens the New Token form, `?revoke=<id>` the reason of a revocation and
//! `?delete_token=<id>` the confirmation of a deletion.

use leptos::either::Either;
use leptos::html::{Form, Input};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::pools::list_pools;
use crate::api::tokens::{list_tokens, CreateToken, DeleteToken, RevokeToken};
use crate::components::copy_button::{select, CopyButton};
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::error::AppError;
use crate::model::{Me, PoolRow, TokenRow};

/// Columns of the token table, for the rows that span it.
const COLUMNS: &str = "9";

/// A token as the table shows it: the first 8 and the last 4 characters.
pub fn short_token(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 13 {
        return token.to_owned();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// "3 / 50" or "3 / unlimited".
pub fn uses_text(uses: i32, max_uses: Option<i32>) -> String {
    match max_uses {
        Some(max) => format!("{uses} / {max}"),
        None => format!("{uses} / unlimited"),
    }
}

fn state_badge(state: &str) -> &'static str {
    match state {
        "Active" => "badge badge-success",
        "Expired" => "badge badge-warning",
        "Revoked" => "badge badge-danger",
        _ => "badge badge-neutral",
    }
}

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time for a narrow table cell: it may wrap between the date and the time, nowhere else.
fn time_cell(at: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    view! {
        <span class="nowrap">{at.format("%Y-%m-%d").to_string()}</span>
        " "
        <span class="nowrap">{at.format("%H:%M UTC").to_string()}</span>
    }
}

/// What the token table's rows need to offer their actions.
#[derive(Clone, Copy)]
struct TokenActions {
    revoke: ServerAction<RevokeToken>,
    delete: ServerAction<DeleteToken>,
    can_change: bool,
    pool: i64,
}

impl TokenActions {
    fn href(&self, extra: &str) -> String {
        format!("/inventory?va={}&tab=general{extra}", self.pool)
    }
}

#[component]
pub fn GeneralTab(pool: i64) -> impl IntoView {
    let can_change = use_context::<Me>()
        .and_then(|me| me.pools.into_iter().find(|p| p.id == pool))
        .is_some_and(|p| p.can_change);
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let delete = ServerAction::<DeleteToken>::new();
    let versions = move || {
        (
            create.version().get(),
            revoke.version().get(),
            delete.version().get(),
        )
    };
    let details = Resource::new(move || (pool, versions()), |_| list_pools());
    let tokens = Resource::new(move || (pool, versions()), |(pool, _)| list_tokens(pool));
    let query = use_query_map();
    let id_param = move |key: &str| query.read().get(key).and_then(|v| v.parse::<i64>().ok());
    let form_open =
        Memo::new(move |_| can_change && query.read().get("new_token").as_deref() == Some("1"));
    let revoking = Memo::new(move |_| id_param("revoke"));
    let confirming = Memo::new(move |_| id_param("delete_token"));
    let actions = TokenActions {
        revoke,
        delete,
        can_change,
        pool,
    };
    let row_error = Signal::derive(move || {
        action_error(&revoke)
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
            .or_else(|| action_error(&delete).get())
    });

    // With JavaScript, a created token closes the form and shows itself above the table.
    let navigate = use_navigate();
    Effect::watch(
        move || create.version().get(),
        move |_, _, _| {
            if matches!(create.value().get_untracked(), Some(Ok(_))) {
                let options = NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                };
                navigate(&actions.href(""), options);
            }
        },
        false,
    );
    let created = move || create.value().get().and_then(Result::ok);
    // Opening the form again puts the last new token away.
    let forget_created = move |_| create.value().set(None);

    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await.map(|rows| rows.into_iter().find(|r| r.id == pool)) {
                    Ok(Some(row)) => Either::Left(view! { <PoolDetails row /> }),
                    Ok(None) => Either::Right(view! { <LoadError error=AppError::NotFound /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
        <section class="tokens" aria-labelledby="tokens-heading">
            <div class="section-heading">
                <h2 id="tokens-heading">"Registration Tokens"</h2>
                {move || (can_change && !form_open.get()).then(|| view! {
                    <a class="button button-primary" href=actions.href("&new_token=1") on:click=forget_created>
                        "New Token…"
                    </a>
                })}
            </div>
            <p class="muted">
                "Devices register into this virtual account with one of its tokens."
            </p>
            {move || created().map(|row| view! { <NewTokenPanel row /> })}
            {move || form_open.get().then(|| view! { <NewTokenForm create pool cancel=actions.href("") /> })}
            <FormError error=row_error />
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(rows) => Either::Left(view! {
                            <TokenTable rows actions revoking=revoking.get() confirming=confirming.get() />
                        }),
                        Err(error) => Either::Right(view! { <LoadError error /> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PoolDetails(row: PoolRow) -> impl IntoView {
    view! {
        <h2>"Virtual Account"</h2>
        <dl class="details">
            <dt>"Name"</dt>
            <dd>{row.name}</dd>
            <dt>"Description"</dt>
            <dd>{if row.description.is_empty() { "—".to_owned() } else { row.description }}</dd>
            <dt>"Default"</dt>
            <dd>{if row.is_default { "Yes" } else { "No" }}</dd>
            <dt>"Active licenses"</dt>
            <dd>{row.licenses}</dd>
            <dt>"Tokens"</dt>
            <dd>{row.tokens}</dd>
            <dt>"Product instances"</dt>
            <dd>{row.instances}</dd>
        </dl>
    }
}

/// The token just created, in full, ready to copy.
#[component]
fn NewTokenPanel(row: TokenRow) -> impl IntoView {
    let field = NodeRef::<Input>::new();
    // Focus and select it, so that Ctrl+C copies it right away.
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            select(&input);
        }
    });
    let description = if row.description.is_empty() {
        "Token created.".to_owned()
    } else {
        format!("Token \"{}\" created.", row.description)
    };
    view! {
        <div class="card new-token" role="group" aria-label="New token">
            <p class="status" role="status">{description}</p>
            <div class="field">
                <label for="new-token-value">"New token"</label>
                <div class="copy-row">
                    <input
                        id="new-token-value"
                        type="text"
                        class="mono"
                        readonly
                        value=row.token.clone()
                        node_ref=field
                        aria-describedby="new-token-hint"
                    />
                    <CopyButton text=row.token field />
                </div>
                <p class="hint" id="new-token-hint">
                    {format!(
                        "Expires {}; {} uses. Register devices with it to add them to this virtual account.",
                        time(row.expires_at),
                        row.max_uses.map_or("unlimited".to_owned(), |m| format!("at most {m}")),
                    )}
                </p>
            </div>
        </div>
    }
}

#[component]
fn NewTokenForm(create: ServerAction<CreateToken>, pool: i64, cancel: String) -> impl IntoView {
    let error = action_error(&create);
    let form = NodeRef::<Form>::new();
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.for_field(field).is_some())
                .to_string()
        }
    };
    // The server checks every field and names the wrong one; `novalidate` keeps the browser's own
    // bubbles out of the way so that the message always shows under its field.
    view! {
        <section class="card token-form" aria-labelledby="new-token-heading">
            <h3 id="new-token-heading">"New Token"</h3>
            <ActionForm action=create node_ref=form attr:novalidate=true>
                <input type="hidden" name="pool" value=pool.to_string() />
                <div class="field">
                    <label for="token-description">"Description"</label>
                    <input id="token-description" name="description" type="text" maxlength="500"
                        aria-invalid=invalid("description") aria-describedby="token-description-error" />
                    <FieldError error field="description" id="token-description" />
                </div>
                <div class="form-row">
                    <div class="field">
                        <label for="token-expire">"Expire After"</label>
                        <span class="input-suffix">
                            <input id="token-expire" name="expire_days" type="number" inputmode="numeric" min="1"
                                max="365" step="1" value="30" aria-invalid=invalid("expire_days")
                                aria-describedby="token-expire-unit token-expire-error" />
                            <span id="token-expire-unit">"days"</span>
                        </span>
                        <FieldError error field="expire_days" id="token-expire" />
                    </div>
                    <div class="field">
                        <label for="token-max-uses">"Max. Number of Uses"</label>
                        <input id="token-max-uses" name="max_uses" type="number" inputmode="numeric" min="1"
                            step="1" aria-invalid=invalid("max_uses")
                            aria-describedby="token-max-uses-hint token-max-uses-error" />
                        <p class="hint" id="token-max-uses-hint">"Blank for unlimited"</p>
                        <FieldError error field="max_uses" id="token-max-uses" />
                    </div>
                </div>
                <div class="field checkbox-field">
                    <input id="token-export" name="allow_export_controlled" type="checkbox" value="on" checked />
                    <label for="token-export">"Allow export-controlled functionality"</label>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button button-primary">"Create Token"</button>
                    <a class="button button-quiet" href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
            <FormError error />
        </section>
    }
}

#[component]
fn TokenTable(
    rows: Vec<TokenRow>,
    actions: TokenActions,
    revoking: Option<i64>,
    confirming: Option<i64>,
) -> impl IntoView {
    if rows.is_empty() {
        let text = if actions.can_change {
            "No registration tokens yet. Create one with New Token…"
        } else {
            "No registration tokens yet."
        };
        return Either::Left(view! { <p class="empty">{text}</p> });
    }
    let body = rows
        .into_iter()
        .map(|row| {
            let open = actions.can_change && row.state != "Revoked";
            let revoke = open && revoking == Some(row.id);
            let confirm = actions.can_change && confirming == Some(row.id);
            view! { <TokenRowView row actions revoke confirm /> }
        })
        .collect_view();
    Either::Right(view! {
        <table class="table tokens-table">
            <caption class="sr-only">"Registration tokens"</caption>
            <thead>
                <tr>
                    <th scope="col">"Token"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Created By"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col" class="num">"Uses"</th>
                    <th scope="col">"Export-Controlled"</th>
                    <th scope="col">"State"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    })
}

#[component]
fn TokenRowView(
    row: TokenRow,
    actions: TokenActions,
    revoke: bool,
    confirm: bool,
) -> impl IntoView {
    let id = row.id;
    let short = short_token(&row.token);
    let revoked = row.state == "Revoked";
    // The whole token is for users who may change the pool: a Copy button, and the token itself in a
    // disclosure (a native `<details>`, so that it opens without JavaScript too).
    let field = NodeRef::<Input>::new();
    let copy = actions.can_change.then(|| {
        view! { <CopyButton text=row.token.clone() field label=format!("Copy token {short}") /> }
    });
    let whole = actions.can_change.then(|| {
        view! {
            <details class="token-whole">
                <summary aria-label=format!("Show token {short}")>"Show"</summary>
                <input type="text" class="mono" readonly value=row.token.clone() node_ref=field
                    aria-label=format!("Token {short}") />
            </details>
        }
    });
    let row_actions = actions.can_change.then(|| {
        view! {
            {(!revoked).then(|| view! {
                <a class="button button-small" href=actions.href(&format!("&revoke={id}"))
                    aria-label=format!("Revoke token {short}")>"Revoke…"</a>
            })}
            <a class="button button-small button-danger-quiet" href=actions.href(&format!("&delete_token={id}"))
                aria-label=format!("Delete token {short}")>"Delete…"</a>
        }
    });
    let revoke_row = revoke.then(|| view! { <RevokeRow id short=short.clone() actions /> });
    let confirm_row = confirm.then(|| {
        view! {
            <tr class="confirm-row">
                <td colspan=COLUMNS>
                    <div class="confirm" role="group" aria-label=format!("Delete token {short}")>
                        <span>{format!("Delete token {short}? Devices registered with it stay registered.")}</span>
                        <ActionForm action=actions.delete attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button button-danger">"Delete"</button>
                        </ActionForm>
                        <a class="button button-quiet" href=actions.href("")>"Cancel"</a>
                    </div>
                </td>
            </tr>
        }
    });
    view! {
        <tr>
            <th scope="row">
                <span class="token-cell">
                    <code>{short.clone()}</code>
                    {copy}
                </span>
                {whole}
            </th>
            <td>{row.description.clone()}</td>
            <td>{row.created_by.clone()}</td>
            <td>{time_cell(row.created_at)}</td>
            <td>{time_cell(row.expires_at)}</td>
            <td class="num nowrap">{uses_text(row.uses, row.max_uses)}</td>
            <td>{if row.allow_export_controlled { "Allowed" } else { "Not Allowed" }}</td>
            <td>
                <span class=state_badge(&row.state)>{row.state.clone()}</span>
                {row.revoke_reason.clone().map(|reason| view! {
                    <span class="revoke-reason">{reason}</span>
                })}
            </td>
            <td class="actions">{row_actions}</td>
        </tr>
        {revoke_row}
        {confirm_row}
    }
}

#[component]
fn RevokeRow(id: i64, short: String, actions: TokenActions) -> impl IntoView {
    let error = action_error(&actions.revoke);
    let invalid = move || {
        error
            .get()
            .is_some_and(|e| e.for_field("reason").is_some())
            .to_string()
    };
    view! {
        <tr class="edit-row">
            <td colspan=COLUMNS>
                <ActionForm action=actions.revoke attr:class="form-row" attr:aria-label=format!("Revoke token {short}")>
                    <input type="hidden" name="id" value=id.to_string() />
                    <div class="field field-wide">
                        <label for="revoke-reason">"Reason"</label>
                        <input id="revoke-reason" name="reason" type="text" maxlength="500" autofocus
                            aria-invalid=invalid aria-describedby="revoke-reason-error" />
                        <FieldError error field="reason" id="revoke-reason" />
                    </div>
                    <button type="submit" class="button button-danger">"Revoke"</button>
                    <a class="button button-quiet" href=actions.href("")>"Cancel"</a>
                </ActionForm>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_shortened_to_both_ends() {
        assert_eq!(
            short_token("idt_ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            "idt_ABCD…WXYZ"
        );
        // What viewers get is already short and stays as it is.
        assert_eq!(short_token("idt_ABCD…WXYZ"), "idt_ABCD…WXYZ");
        assert_eq!(short_token("short"), "short");
    }

    #[test]
    fn uses_show_the_limit_or_unlimited() {
        assert_eq!(uses_text(3, Some(50)), "3 / 50");
        assert_eq!(uses_text(0, None), "0 / unlimited");
    }
}
