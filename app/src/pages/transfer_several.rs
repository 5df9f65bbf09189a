//! The Licenses tab's "Transfer Several…": a form that moves several licenses of the page at once.

use leptos::prelude::*;

use crate::components::errors::action_error;
use crate::components::once::{FormId, Submit};
use crate::components::transfer_form::Transfers;
use crate::error::AppError;
use crate::model::SeveralTransfersForm;

/// "Transfer Several…": a quantity for each license of the page that can move, one target, one
/// transaction (all or none).
#[component]
pub fn TransferSeveralPanel(
    transfers: Transfers,
    licenses: Vec<(i64, String, i64)>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    // The button needs scripts: shown once the page runs them.
    let scripted = crate::components::scripted();
    let action = transfers.several;
    let error = action_error(&action);
    // A finished transfer closes the form (the tab says what moved and reads the list again).
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            if matches!(action.value().get_untracked(), Some(Ok(_))) {
                open.set(false);
            }
        },
        false,
    );
    let pool = transfers.pool;
    let targets = StoredValue::new(transfers.targets.clone());
    let licenses = StoredValue::new(licenses);
    let options = move || {
        targets.with_value(|t| {
            t.iter()
                .map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> })
                .collect_view()
        })
    };
    let rows = move || {
        licenses.get_value()
        .into_iter()
        .map(|(id, label, most)| {
            let field = SeveralTransfersForm::quantity_field(id);
            let input_id = format!("several-{id}");
            let error_id = format!("{input_id}-error");
            let field_for_msg = field.clone();
            let message = move || error.get().and_then(|e| e.for_field(&field_for_msg));
            let invalid = move || error.get().is_some_and(|e| e.for_field(&field).is_some()).to_string();
            view! {
                <div class="field">
                    <input type="hidden" name="license[]" value=id.to_string() />
                    <label for=input_id.clone()>{format!("Quantity of {label}")}</label>
                    <input id=input_id type="number" name="quantity[]" inputmode="numeric" min="1"
                        max=most.to_string() step="1" aria-invalid=invalid
                        aria-describedby=error_id.clone() />
                    <p class="hint">{format!("At most {most} can move")}</p>
                    {move || message().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
                </div>
            }
        })
        .collect_view()
    };
    let general = Signal::derive(move || {
        error.get().filter(|e| {
            e.for_field("target").is_some()
                || e.for_field("quantity").is_some()
                || !matches!(e, AppError::Validation { .. })
        })
    });
    view! {
        <p class="tab-actions" hidden=move || !scripted.get()>
            <button type="button" class="button" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Transfer Several…"</button>
        </p>
        <Show when=move || open.get()>
            <section class="card transfer-form" aria-label="Transfer several licenses">
                <h3>"Transfer Several Licenses"</h3>
                <ActionForm action attr:class="several-form" attr:novalidate=true><FormId action=action />
                    <input type="hidden" name="pool" value=pool.to_string() />
                    <div class="field">
                        <label for="several-target">"Target Virtual Account"</label>
                        <select id="several-target" name="target" required>{options()}</select>
                    </div>
                    <p class="hint">"Leave a quantity blank to keep that license here."</p>
                    <div class="several-grid">{rows()}</div>
                    <div class="form-actions">
                        <Submit action=action class="button button-primary" label="Transfer" />
                        <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </ActionForm>
                {move || general.get().map(|e| view! {
                    <div class="banner banner-error" role="alert">{e.for_field("target").or_else(|| e.for_field("quantity")).unwrap_or_else(|| e.to_string())}</div>
                })}
            </section>
        </Show>
    }
}
