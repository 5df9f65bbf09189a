//! Transfer of licenses to another virtual account: the "Transfer…" button (a GET form that opens the
//! transfer view, `?transfer=<license id>`, so it works without JavaScript) and the form itself.

use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use leptos_router::components::Form;

use crate::api::licenses::{TransferLicenses, TransferSeveral};
use crate::components::errors::{action_error, FieldError, FormError};
use crate::model::PoolRef;

/// What the Licenses tab hands to every place that can start a transfer.
#[derive(Clone)]
pub struct Transfers {
    /// The pool the licenses leave.
    pub pool: i64,
    pub action: ServerAction<TransferLicenses>,
    /// "Transfer Several…": kept by the tab, so that its outcome outlives the list it re-reads.
    pub several: ServerAction<TransferSeveral>,
    /// How many transfers of several licenses succeeded: the list reads itself again on each (a
    /// refused one keeps the form and its errors as they are).
    pub several_done: RwSignal<u64>,
    /// Other virtual accounts the user may change.
    pub targets: Vec<PoolRef>,
    /// Whether the user may change the pool and has somewhere to send licenses.
    pub allowed: bool,
}

/// The "Transfer…" button: opens the transfer view of the current page, keeping `params`.
#[component]
pub fn TransferButton(params: Vec<(&'static str, String)>, license: i64) -> impl IntoView {
    let hidden = params
        .into_iter()
        .filter(|(name, _)| *name != "transfer")
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    view! {
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/inventory" attr:class="inline-form">
            {hidden}
            <input type="hidden" name="transfer" value=license.to_string() />
            <button type="submit" class="button button-small">"Transfer…"</button>
        </Form>
    }
}

/// The transfer form of one license: target, quantity (at most `most`), and the server's verdict.
#[component]
pub fn TransferForm(
    transfers: Transfers,
    license: i64,
    /// The license's name and tag, for the heading.
    label: String,
    /// The most that can move now.
    most: i64,
    /// Where Cancel goes.
    cancel: String,
) -> impl IntoView {
    let error = action_error(&transfers.action);
    let heading = format!("Transfer {label}");
    let region = heading.clone();
    let options = transfers
        .targets
        .iter()
        .map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> })
        .collect_view();
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.for_field(field).is_some())
                .to_string()
        }
    };
    view! {
        <section class="transfer-form" aria-label=region>
            <h3>{heading}</h3>
            <ActionForm action=transfers.action attr:class="form-row"><FormId action=transfers.action />
                <input type="hidden" name="pool" value=transfers.pool.to_string() />
                <input type="hidden" name="license" value=license.to_string() />
                <div class="field">
                    <label for="transfer-target">"Target Virtual Account"</label>
                    <select id="transfer-target" name="target" required aria-invalid=invalid("target")
                        aria-describedby="transfer-target-error">
                        {options}
                    </select>
                    <FieldError error field="target" id="transfer-target" />
                </div>
                <div class="field">
                    <label for="transfer-quantity">"Quantity"</label>
                    <input id="transfer-quantity" name="quantity" type="number" inputmode="numeric" min="1"
                        max=most.to_string() step="1" required aria-invalid=invalid("quantity")
                        aria-describedby="transfer-quantity-hint transfer-quantity-error" />
                    <p class="hint" id="transfer-quantity-hint">{format!("At most {most} can move")}</p>
                    <FieldError error field="quantity" id="transfer-quantity" />
                </div>
                <Submit action=transfers.action class="button button-primary" label="Transfer" />
                <a class="button button-quiet" href=cancel>"Cancel"</a>
            </ActionForm>
            <FormError error />
        </section>
    }
}
