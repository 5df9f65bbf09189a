//! The General tab of the Inventory: the virtual account's details and its registration tokens.
//! Every form is a plain POST and every view a plain link (`links::GeneralView`), so the tab works
//! without JavaScript.

mod new_token;
mod tokens;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::pools::list_pools;
use crate::api::tokens::{list_tokens, CreateToken, DeleteToken, RevokeToken};
use crate::components::errors::{action_error, FormError, LoadError};
use crate::error::AppError;
use crate::links::GeneralView;
use crate::model::{Me, PoolRow};

use new_token::{NewTokenForm, NewTokenPanel};
use tokens::TokenTable;

/// What the token table's rows need to offer their actions.
#[derive(Clone, Copy)]
struct TokenActions {
    revoke: ServerAction<RevokeToken>,
    delete: ServerAction<DeleteToken>,
    can_change: bool,
    pool: i64,
}

impl TokenActions {
    /// The tab with nothing open.
    fn plain(&self) -> String {
        self.view().href()
    }

    fn view(&self) -> GeneralView {
        GeneralView {
            pool: self.pool,
            ..GeneralView::default()
        }
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
    let view = Memo::new(move |_| GeneralView::of(pool, &*query.read()));
    let form_open = Memo::new(move |_| can_change && view.get().new_token);
    let revoking = Memo::new(move |_| view.get().revoke);
    let confirming = Memo::new(move |_| view.get().delete_token);
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
                navigate(&actions.plain(), options);
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
                    <a class="button button-primary" href=GeneralView { new_token: true, ..actions.view() }.href()
                        on:click=forget_created>
                        "New Token…"
                    </a>
                })}
            </div>
            <p class="muted">
                "Devices register into this virtual account with one of its tokens."
            </p>
            {move || created().map(|created| view! { <NewTokenPanel created /> })}
            {move || form_open.get().then(|| view! { <NewTokenForm create pool cancel=actions.plain() /> })}
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
            <dd>{crate::format::count(row.licenses)}</dd>
            <dt>"Tokens"</dt>
            <dd>{crate::format::count(row.tokens)}</dd>
            <dt>"Product instances"</dt>
            <dd>{crate::format::count(row.instances)}</dd>
        </dl>
    }
}
