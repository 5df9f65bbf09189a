//! The Users page (account admins): who has access, in which role and to which virtual accounts, in
//! what state; add a user (who gets a one-time sign-in link), edit, disable and enable, reset the
//! password, remove. Forms are plain POSTs underneath; `?add`, `?edit=`, `?reset=` and `?remove=`
//! pick what is open.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::once::{FormId, Submit};
use crate::components::outcome::Outcome;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::users::{
    list_users, AddUser, DisableUser, EnableUser, RemoveUser, ResetPassword, UpdateUser,
};
use crate::components::badge::badge;
use crate::components::errors::{action_error, FormError, LoadError};
use crate::components::pager::Pager;
use crate::format;
use crate::links::UsersView;
use crate::model::{IssuedLink, Me, PoolRef, SortDir, UserPage, UserRow, UserSort};
use crate::pages::user_forms::{AddUserForm, LinkPanel, RoleFields};

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateUser>,
    disable: ServerAction<DisableUser>,
    enable: ServerAction<EnableUser>,
    reset: ServerAction<ResetPassword>,
    remove: ServerAction<RemoveUser>,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_context::<Me>();
    let account = me
        .as_ref()
        .map(|m| m.smart_account.clone())
        .unwrap_or_default();
    let pools = me.map(|m| m.pools).unwrap_or_default();
    let add = ServerAction::<AddUser>::new();
    let actions = Actions {
        update: ServerAction::new(),
        disable: ServerAction::new(),
        enable: ServerAction::new(),
        reset: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let query = use_query_map();
    let view = Memo::new(move |_| UsersView::of(&*query.read()));
    let versions = move || {
        (
            add.version().get(),
            actions.update.version().get(),
            actions.disable.version().get(),
            actions.enable.version().get(),
            actions.reset.version().get(),
            actions.remove.version().get(),
        )
    };
    let users = Resource::new(
        move || (view.get().list(), versions()),
        |(query, _)| list_users(query),
    );
    let row_error = Signal::derive(move || {
        action_error(&actions.disable)
            .get()
            .or_else(|| action_error(&actions.enable).get())
            .or_else(|| action_error(&actions.remove).get())
            .or_else(|| action_error(&actions.reset).get())
    });
    let issued = Signal::derive(move || {
        let from = |v: Option<Result<Option<IssuedLink>, _>>| v.and_then(|r| r.ok()).flatten();
        from(actions.reset.value().get()).or_else(|| from(add.value().get()))
    });
    let add_pools = pools.clone();
    view! {
        <Title text=format!("Users · {account}") />
        <div class="page-heading">
            <h1>"Users"</h1>
            <a class="button button-primary" href=move || UsersView { add: true, ..view.get().list_only() }.href()>
                "Add User…"
            </a>
        </div>
        <FormError error=row_error />
        {move || issued.get().map(|link| view! { <LinkPanel link /> })}
        <Outcome message=Signal::derive(move || matches!(add.value().get(), Some(Ok(None))).then(|| {
            "User added. They already have a password: this account appears after their next sign-in.".to_owned()
        })) />
        {move || view.get().add.then(|| view! { <AddUserForm add pools=add_pools.clone() cancel=view.get().list_only().href() /> })}
        <form method="get" action="/users" class="form-row filter-form" role="search">
            <div class="field">
                <label for="users-filter">"Filter by username"</label>
                <input id="users-filter" name="q" type="search" value=move || view.get().q />
            </div>
            <button type="submit" class="button">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let pools = pools.clone();
                Suspend::new(async move {
                    match users.await {
                        Ok(page) => Either::Left(view! { <UserTable page view=view.get() actions pools /> }),
                        Err(error) => Either::Right(view! { <LoadError error /> }),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn UserTable(
    page: UserPage,
    view: UsersView,
    actions: Actions,
    pools: Vec<PoolRef>,
) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if view.q.is_empty() {
            "No users."
        } else {
            "No user matches the filter."
        };
        return Either::Left(view! { <p class="empty">{text}</p> });
    }
    let header = |sort: UserSort, label: &'static str| {
        let active = view.sort == sort;
        let link = UsersView {
            sort,
            dir: if active {
                view.dir.reversed()
            } else {
                SortDir::Asc
            },
            page: 0,
            ..view.list_only()
        };
        let (aria, arrow) = match (active, view.dir) {
            (false, _) => (None, ""),
            (true, SortDir::Asc) => (Some("ascending"), " ▲"),
            (true, SortDir::Desc) => (Some("descending"), " ▼"),
        };
        view! {
            <th scope="col" aria-sort=aria>
                <a href=link.href()>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let rows = page
        .rows
        .into_iter()
        .map(|row| {
            if view.edit == Some(row.id) {
                Either::Left(view! { <EditRow row actions pools=pools.clone() cancel=view.list_only().href() /> })
            } else {
                Either::Right(view! { <UserRowView row view=view.clone() actions /> })
            }
        })
        .collect_view();
    let at = |page: u64| {
        UsersView {
            page,
            ..view.list_only()
        }
        .href()
    };
    let back = (page.page > 0).then(|| (at(page.page - 1), "Previous page"));
    let forward = (page.page + 1 < page.pages).then(|| (at(page.page + 1), "Next page"));
    let summary = Some(format!(
        "Page {} of {} ({} users)",
        page.page + 1,
        page.pages,
        page.total
    ));
    Either::Right(view! {
        <div class="table-scroll"><table class="table">
            <caption class="sr-only">"Users"</caption>
            <thead>
                <tr>
                    {header(UserSort::Username, "Username")}
                    {header(UserSort::Role, "Role")}
                    <th scope="col">"Virtual Accounts"</th>
                    <th scope="col">"State"</th>
                    {header(UserSort::LastSignIn, "Last Sign-in")}
                    <th scope="col">"Two-Factor"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
        <Pager label="User pages" back summary forward />
    })
}

#[component]
fn UserRowView(row: UserRow, view: UsersView, actions: Actions) -> impl IntoView {
    use crate::domain::users::UserState;
    let id = row.id.to_string();
    let toggle_id = id.clone();
    let name = row.username.clone();
    let pools = if row.role.is_account_wide() {
        "All".to_owned()
    } else {
        row.pools
            .iter()
            .map(|p| p.1.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let open = |edit, reset, remove| {
        UsersView {
            edit,
            reset,
            remove,
            ..view.list_only()
        }
        .href()
    };
    let confirm = if view.reset == Some(row.id) {
        Some(Either::Left(view! {
            <tr class="confirm-row">
                <td colspan="7">
                    <div class="confirm" role="group" aria-label=format!("Reset the password of {name}")>
                        <span>{format!("Give {name} a new sign-in link? Their password stops working and their sessions end.")}</span>
                        <ActionForm action=actions.reset attr:class="inline-form"><FormId action=actions.reset />
                            <input type="hidden" name="id" value=id.clone() />
                            <Submit action=actions.reset class="button button-danger" label="Reset Password" />
                        </ActionForm>
                        <a class="button button-quiet" href=view.list_only().href()>"Cancel"</a>
                    </div>
                </td>
            </tr>
        }))
    } else if view.remove == Some(row.id) {
        Some(Either::Right(view! {
            <tr class="confirm-row">
                <td colspan="7">
                    <div class="confirm" role="group" aria-label=format!("Remove {name}")>
                        <span>{format!("Remove {name} from this account? Their sessions end.")}</span>
                        <ActionForm action=actions.remove attr:class="inline-form"><FormId action=actions.remove />
                            <input type="hidden" name="id" value=id.clone() />
                            <Submit action=actions.remove class="button button-danger" label="Remove" />
                        </ActionForm>
                        <a class="button button-quiet" href=view.list_only().href()>"Cancel"</a>
                    </div>
                </td>
            </tr>
        }))
    } else {
        None
    };
    let toggle = if row.state == UserState::Disabled {
        Either::Left(view! {
            <ActionForm action=actions.enable attr:class="inline-form">
                <input type="hidden" name="id" value=toggle_id.clone() />
                <Submit action=actions.enable class="button button-small" aria_label=format!("Enable {name}") label="Enable" />
            </ActionForm>
        })
    } else {
        Either::Right(view! {
            <ActionForm action=actions.disable attr:class="inline-form">
                <input type="hidden" name="id" value=toggle_id.clone() />
                <Submit action=actions.disable class="button button-small button-danger-quiet" aria_label=format!("Disable {name}") label="Disable" />
            </ActionForm>
        })
    };
    view! {
        <tr>
            <th scope="row">
                {row.username.clone()}
                {row.is_you.then(|| view! { " " <span class="badge badge-neutral">"You"</span> })}
            </th>
            <td>{row.role.label()}</td>
            <td>{pools}</td>
            <td>{badge(row.state)}</td>
            <td>{row.last_sign_in_at.map_or("Never".to_owned(), format::minute)}</td>
            <td>{if row.two_factor { "On" } else { "Off" }}</td>
            <td class="actions">
                <a class="button button-small" href=open(Some(row.id), None, None)
                    aria-label=format!("Edit {}", row.username)>"Edit"</a>
                {toggle}
                <a class="button button-small" href=open(None, Some(row.id), None)
                    aria-label=format!("Reset Password… of {}", row.username)>"Reset Password…"</a>
                <a class="button button-small button-danger-quiet" href=open(None, None, Some(row.id))
                    aria-label=format!("Remove {}", row.username)>"Remove"</a>
            </td>
        </tr>
        {confirm}
    }
}

#[component]
fn EditRow(row: UserRow, actions: Actions, pools: Vec<PoolRef>, cancel: String) -> impl IntoView {
    let error = action_error(&actions.update);
    let chosen: Vec<i64> = row.pools.iter().map(|p| p.0).collect();
    view! {
        <tr class="edit-row">
            <td colspan="7">
                <ActionForm action=actions.update attr:class="form-row" attr:novalidate=true>
                    <input type="hidden" name="id" value=row.id.to_string() />
                    <p><strong>{row.username.clone()}</strong></p>
                    <RoleFields prefix="edit" error pools role=row.role chosen />
                    <div class="form-actions">
                        <Submit action=actions.update class="button button-primary" label="Save" />
                        <a class="button button-quiet" href=cancel>"Cancel"</a>
                    </div>
                </ActionForm>
                <FormError error />
            </td>
        </tr>
    }
}
