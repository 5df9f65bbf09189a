//! The token table: each token's uses, state and actions (Copy, Show, Revoke…, Delete…), with the
//! revocation's reason and the deletion's confirmation opened in place by plain links.

use leptos::either::Either;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};

use super::TokenActions;
use crate::components::badge::badge;
use crate::components::copy_button::CopyButton;
use crate::components::errors::{action_error, FieldError};
use crate::domain::tokens::{shorten, TokenState};
use crate::format;
use crate::links::GeneralView;
use crate::model::TokenRow;

/// Columns of the token table, for the rows that span it.
const COLUMNS: &str = "9";

/// A time for a narrow table cell: it may wrap between the date and the time, nowhere else.
fn time_cell(at: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    view! {
        <span class="nowrap">{format::date(at)}</span>
        " "
        <span class="nowrap">{format::time_of_day(at)}</span>
    }
}

#[component]
pub(super) fn TokenTable(
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
            let open = actions.can_change && row.state != TokenState::Revoked;
            let revoke = open && revoking == Some(row.id);
            let confirm = actions.can_change && confirming == Some(row.id);
            view! { <TokenRowView row actions revoke confirm /> }
        })
        .collect_view();
    Either::Right(view! {
        <div class="table-scroll"><table class="table tokens-table">
            <caption class="sr-only">"Registration tokens"</caption>
            <thead>
                <tr>
                    <th scope="col">"Token"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col" class="col-created-by">"Created By"</th>
                    <th scope="col" class="col-created">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col" class="num">"Uses"</th>
                    <th scope="col">"Export-Controlled"</th>
                    <th scope="col">"State"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table></div>
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
    let short = shorten(&row.token);
    let revoked = row.state == TokenState::Revoked;
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
    let devices = view! {
        <a class="button button-small button-quiet" href=crate::links::token_devices_href(id)
            aria-label=format!("Devices of token {short}")>"Devices"</a>
    };
    let row_actions = actions.can_change.then(|| {
        view! {
            {(!revoked).then(|| view! {
                <a class="button button-small" href=GeneralView { revoke: Some(id), ..actions.view() }.href()
                    aria-label=format!("Revoke token {short}")>"Revoke…"</a>
            })}
            <a class="button button-small button-danger-quiet" href=GeneralView { delete_token: Some(id), ..actions.view() }.href()
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
                        <ActionForm action=actions.delete attr:class="inline-form"><FormId action=actions.delete />
                            <input type="hidden" name="id" value=id.to_string() />
                            <Submit action=actions.delete class="button button-danger" label="Delete" />
                        </ActionForm>
                        <a class="button button-quiet" href=actions.plain()>"Cancel"</a>
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
            <td class="col-created-by">{row.created_by.clone()}</td>
            <td class="col-created">{time_cell(row.created_at)}</td>
            <td>{time_cell(row.expires_at)}</td>
            <td class="num nowrap">{row.uses_text()}</td>
            <td>{if row.allow_export_controlled { "Allowed" } else { "Not Allowed" }}</td>
            <td>
                {badge(row.state)}
                {row.revoke_reason.clone().map(|reason| view! {
                    <span class="revoke-reason">{reason}</span>
                })}
            </td>
            <td class="actions">{devices}{row_actions}</td>
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
                <ActionForm action=actions.revoke attr:class="form-row" attr:aria-label=format!("Revoke token {short}")><FormId action=actions.revoke />
                    <input type="hidden" name="id" value=id.to_string() />
                    <div class="field field-wide">
                        <label for="revoke-reason">"Reason"</label>
                        <input id="revoke-reason" name="reason" type="text" maxlength="500" autofocus
                            aria-invalid=invalid aria-describedby="revoke-reason-error" />
                        <FieldError error field="reason" id="revoke-reason" />
                    </div>
                    <Submit action=actions.revoke class="button button-danger" label="Revoke" />
                    <a class="button button-quiet" href=actions.plain()>"Cancel"</a>
                </ActionForm>
            </td>
        </tr>
    }
}
