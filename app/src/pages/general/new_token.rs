//! The New Token form and the token it made, shown once in full with a Copy button.

use leptos::html::{Form, Input};
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};

use crate::api::tokens::CreateToken;
use crate::components::copy_button::{select, CopyButton};
use crate::components::errors::{action_error, FieldError, FormError};
use crate::format;
use crate::model::{CreatedToken, Me, TokenRow};

/// The tokens just created (the form's pool's first), in full, ready to copy.
#[component]
pub(super) fn NewTokenPanel(created: Vec<CreatedToken>) -> impl IntoView {
    let many = created.len() > 1;
    let tokens = created
        .into_iter()
        .enumerate()
        .map(|(i, c)| view! { <NewTokenValue row=c.row pool_name=c.pool_name first=i == 0 many /> })
        .collect_view();
    let panel = crate::components::outcome::focus_when_mounted();
    view! {
        <div class="card new-token" role="group" tabindex="-1" node_ref=panel aria-label="New token">
            {tokens}
        </div>
    }
}

#[component]
fn NewTokenValue(row: TokenRow, pool_name: String, first: bool, many: bool) -> impl IntoView {
    let field = NodeRef::<Input>::new();
    // Focus and select the first, so that Ctrl+C copies it right away.
    Effect::new(move |_| {
        if let Some(input) = field.get().filter(|_| first) {
            select(&input);
        }
    });
    let description = match (row.description.is_empty(), many) {
        (true, false) => "Token created.".to_owned(),
        (false, false) => format!("Token \"{}\" created.", row.description),
        (_, true) => format!("Token created for \"{pool_name}\"."),
    };
    let (id, label) = if first {
        ("new-token-value".to_owned(), "New token".to_owned())
    } else {
        (
            format!("new-token-value-{}", row.id),
            format!("New token for {pool_name}"),
        )
    };
    let hint = format!("{id}-hint");
    view! {
        <p class="status" role=first.then_some("status")>{description}</p>
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="copy-row">
                <input
                    id=id
                    type="text"
                    class="mono"
                    readonly
                    value=row.token.clone()
                    node_ref=field
                    aria-describedby=hint.clone()
                />
                <CopyButton text=row.token field />
            </div>
            <p class="hint" id=hint>
                {format!(
                    "Expires {}; {} uses. Register devices with it to add them to \"{pool_name}\".",
                    format::minute(row.expires_at),
                    row.max_uses.map_or("unlimited".to_owned(), |m| format!("at most {m}")),
                )}
            </p>
        </div>
    }
}

#[component]
pub(super) fn NewTokenForm(
    create: ServerAction<CreateToken>,
    pool: i64,
    cancel: String,
) -> impl IntoView {
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
    // The same token settings for other virtual accounts the user may change, in one go.
    let others: Vec<(i64, String)> = use_context::<Me>()
        .map(|me| {
            me.pools
                .into_iter()
                .filter(|p| p.can_change && p.id != pool)
                .map(|p| (p.id, p.name))
                .collect()
        })
        .unwrap_or_default();
    let also_for = (!others.is_empty()).then(|| {
        let boxes = others
            .into_iter()
            .map(|(id, name)| {
                let box_id = format!("token-also-{id}");
                view! {
                    <div class="checkbox-field">
                        <input type="checkbox" id=box_id.clone() name="also[]" value=id.to_string() />
                        <label for=box_id>{name}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="field also-for" aria-describedby="token-also-hint token-also-error">
                <legend>"Also for"</legend>
                <p class="hint" id="token-also-hint">"A token of its own for each virtual account ticked."</p>
                {boxes}
                <FieldError error field="also" id="token-also" />
            </fieldset>
        }
    });
    // The server checks every field and names the wrong one; `novalidate` keeps the browser's own
    // bubbles out of the way so that the message always shows under its field.
    view! {
        <section class="card token-form" aria-labelledby="new-token-heading">
            <h3 id="new-token-heading">"New Token"</h3>
            <ActionForm action=create node_ref=form attr:novalidate=true><FormId action=create />
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
                {also_for}
                <div class="field checkbox-field">
                    <input id="token-export" name="allow_export_controlled" type="checkbox" value="on" checked />
                    <label for="token-export">"Allow export-controlled functionality"</label>
                </div>
                <div class="form-actions">
                    <Submit action=create class="button button-primary" label="Create Token" />
                    <a class="button button-quiet" href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
            <FormError error />
        </section>
    }
}
