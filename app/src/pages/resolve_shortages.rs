//! Resolve Shortages: the fewest transfers (then the fewest licenses moved) that clear the shortages
//! of the virtual accounts the user may change, with each pool's balance once the plan has run, what
//! is still missing ("Buy 3 × A9K-100G-LIC"), and "Apply", which runs the whole plan as one change.
//! A plain form: it works without JavaScript (`?applied=<n>` says what ran).

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::components::once::Submit;
use crate::components::outcome::Outcome;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::licenses::{shortage_plan, ResolveShortages};
use crate::components::errors::{action_error, LoadError};
use crate::links::ResolveView;
use crate::model::{ShortageMove, ShortagePlanView};

#[component]
pub fn ResolveShortagesPage() -> impl IntoView {
    let apply = ServerAction::<ResolveShortages>::new();
    let query = use_query_map();
    let view = Memo::new(move |_| ResolveView::of(&*query.read()));
    let plan = Resource::new(
        move || (apply.version().get(), view.get()),
        |_| shortage_plan(),
    );
    let applied = move || {
        view.get().applied.map(|n| match n {
            1 => "Applied 1 transfer.".to_owned(),
            n => format!("Applied {n} transfers."),
        })
    };
    view! {
        <Title text="Resolve Shortages" />
        <div class="page-heading">
            <h1>"Resolve Shortages"</h1>
        </div>
        <p class="hint">
            "The fewest transfers that clear every shortage in the virtual accounts you may change, "
            "from licenses nobody uses, never taking a virtual account below what it uses. "
            "Apply runs them all as one change, or none."
        </p>
        <Outcome message=Signal::derive(applied) />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match plan.await {
                    Ok(plan) => Either::Left(view! { <Plan plan apply /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn Plan(plan: ShortagePlanView, apply: ServerAction<ResolveShortages>) -> impl IntoView {
    let error = action_error(&apply);
    let missing = (!plan.missing.is_empty()).then(|| {
        let items = plan
            .missing
            .iter()
            .map(|(tag, n)| view! { <li>{format!("Buy {n} × {tag}")}</li> })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="missing-heading">
                <h2 id="missing-heading">"Still Missing"</h2>
                <p>"No virtual account you may change has these to spare:"</p>
                <ul>{items}</ul>
            </section>
        }
    });
    let out_of_reach = (!plan.out_of_reach.is_empty()).then(|| {
        let items = plan
            .out_of_reach
            .iter()
            .map(|(pool, tag, n)| view! { <li>{format!("{pool}: {n} × {tag} short")}</li> })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="out-of-reach-heading">
                <h2 id="out-of-reach-heading">"Not Yours to Change"</h2>
                <p>"Shortages in virtual accounts you may see but not change (ask an account administrator):"</p>
                <ul>{items}</ul>
            </section>
        }
    });
    let body = if plan.moves.is_empty() && plan.missing.is_empty() {
        EitherOf3::A(
            view! { <p class="empty">"No shortages in the virtual accounts you may change."</p> },
        )
    } else if plan.moves.is_empty() {
        EitherOf3::B(view! { <p class="empty">"No transfer can clear these shortages."</p> })
    } else {
        let fingerprint = plan.fingerprint.clone();
        let rows = plan
            .moves
            .into_iter()
            .map(|m| view! { <MoveRow m /> })
            .collect_view();
        EitherOf3::C(view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label="Planned transfers">
                <table class="table">
                    <caption class="sr-only">"Planned transfers"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"License"</th>
                            <th scope="col">"From"</th>
                            <th scope="col">"To"</th>
                            <th scope="col" class="num">"Quantity"</th>
                            <th scope="col" class="num">"From Balance After"</th>
                            <th scope="col" class="num">"To Balance After"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <ActionForm action=apply>
                <input type="hidden" name="fingerprint" value=fingerprint />
                <div class="form-actions">
                    <Submit action=apply class="button button-primary" label="Apply" />
                    <a class="button button-quiet" href="/inventory">"Cancel"</a>
                </div>
            </ActionForm>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert">{e.to_string()}</div> })}
        })
    };
    view! {
        {body}
        {missing}
        {out_of_reach}
    }
}

#[component]
fn MoveRow(m: ShortageMove) -> impl IntoView {
    view! {
        <tr>
            <th scope="row"><code class="tag">{m.tag}</code></th>
            <td>
                {m.from_name}
                {m.from_expects_shortage.then(|| view! {
                    <span class="forecast">" Shortage expected here too: no other virtual account had enough to spare."</span>
                })}
            </td>
            <td>{m.to_name}</td>
            <td class="num">{crate::format::count(m.quantity)}</td>
            <td class="num">{crate::format::count(m.from_balance)}</td>
            <td class="num" class:shortage={m.to_balance < 0}>{m.to_balance}</td>
        </tr>
    }
}
