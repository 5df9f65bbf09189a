//! The Users page's forms: adding a user, the role fields it shares with editing one, and the
//! one-time sign-in link shown after either.

use leptos::html::Input;
use leptos::prelude::*;

use crate::api::users::AddUser;
use crate::components::copy_button::{select, CopyButton};
use crate::components::errors::{action_error, FieldError, FormError};
use crate::components::once::{FormId, Submit};
use crate::domain::roles::Role;
use crate::format;
use crate::model::{IssuedLink, PoolRef};

/// The one-time sign-in link just made, with a Copy button.
#[component]
pub fn LinkPanel(link: IssuedLink) -> impl IntoView {
    let field = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            select(&input);
        }
    });
    let label = format!("Sign-in link for {}", link.username);
    let panel = crate::components::outcome::focus_when_mounted();
    view! {
        <div class="card new-token" role="group" tabindex="-1" node_ref=panel aria-label="Sign-in link">
            <p class="status" role="status">
                {format!("Give {} this link to set their password. It is shown only now.", link.username)}
            </p>
            <div class="field">
                <label for="sign-in-link">{label.clone()}</label>
                <div class="copy-row">
                    <input id="sign-in-link" type="text" class="mono" readonly value=link.url.clone()
                        node_ref=field aria-describedby="sign-in-link-hint" />
                    <CopyButton text=link.url.clone() field label=format!("Copy the {}", label.to_lowercase()) />
                </div>
                <p class="hint" id="sign-in-link-hint">
                    {format!("Works once, until {}.", format::minute(link.expires_at))}
                </p>
            </div>
        </div>
    }
}

/// The role choice and, for pool roles, the virtual accounts.
#[component]
pub fn RoleFields(
    prefix: &'static str,
    error: Signal<Option<crate::error::AppError>>,
    pools: Vec<PoolRef>,
    #[prop(optional)] role: Option<Role>,
    #[prop(optional)] chosen: Vec<i64>,
) -> impl IntoView {
    let (role_id, pools_id) = match prefix {
        "add" => ("add-role", "add-pools"),
        _ => ("edit-role", "edit-pools"),
    };
    let options = Role::ALL
        .into_iter()
        .map(|r| {
            view! { <option value=r.as_str() selected=role == Some(r)>{r.label()}</option> }
        })
        .collect_view();
    let boxes = pools
        .into_iter()
        .map(|p| {
            let id = format!("{prefix}-pool-{}", p.id);
            view! {
                <div class="checkbox-field">
                    <input type="checkbox" id=id.clone() name="pools[]" value=p.id.to_string()
                        checked=chosen.contains(&p.id) />
                    <label for=id>{p.name}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=role_id>"Role"</label>
            <select id=role_id name="role" aria-describedby=format!("{role_id}-error")>{options}</select>
            <FieldError error field="role" id=role_id />
        </div>
        <fieldset class="field field-wide" aria-describedby=format!("{pools_id}-hint {pools_id}-error")>
            <legend>"Virtual Accounts"</legend>
            <p class="hint" id=format!("{pools_id}-hint")>"For pool admins and pool viewers: what they may see."</p>
            {boxes}
            <FieldError error field="pools" id=pools_id />
        </fieldset>
    }
}

#[component]
pub fn AddUserForm(
    add: ServerAction<AddUser>,
    pools: Vec<PoolRef>,
    cancel: String,
) -> impl IntoView {
    let error = action_error(&add);
    view! {
        <section class="card" aria-labelledby="add-user-heading">
            <h2 id="add-user-heading">"Add User"</h2>
            <ActionForm action=add attr:novalidate=true><FormId action=add />
                <div class="field">
                    <label for="add-username">"Username"</label>
                    <input id="add-username" name="username" type="text" maxlength="64" required autofocus
                        autocomplete="off" aria-describedby="add-username-error" />
                    <FieldError error field="username" id="add-username" />
                </div>
                <RoleFields prefix="add" error pools role=Role::PoolViewer />
                <div class="form-actions">
                    <Submit action=add class="button button-primary" label="Add User" />
                    <a class="button button-quiet" href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
            <FormError error />
        </section>
    }
}
