//! The Event Log: a virtual account's (the Inventory's Event Log tab) and the smart account's own
//! (`/events`, account admins: users, API keys, satellites, virtual accounts created or deleted).
//! Newest first, filtered by kind, text and a date range, paged by a cursor.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::events::list_events;
use crate::components::errors::LoadError;
use crate::components::event_table::EventTable;
use crate::components::pager::Pager;
use crate::domain::events::EventKind;
use crate::links::EventsView;
use crate::model::{EventPage, EventQuery, Me};

/// The Inventory's Event Log tab: the pool's own events.
#[component]
pub fn EventLogTab(pool: i64) -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| EventsView::of(pool, &*query.read()));
    let admin = use_context::<Me>().is_some_and(|m| m.manages_users);
    let elsewhere = admin.then(|| {
        view! {
            <p class="muted">
                "Events of the smart account as a whole (users, API keys, satellites) are in the "
                <a href="/events">"Account Event Log"</a>"."
            </p>
        }
    });
    view! {
        <h2 class="sr-only">"Event Log"</h2>
        {elsewhere}
        <EventLog view />
    }
}

/// `/events`: the smart account's own events.
#[component]
pub fn AccountEventsPage() -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| EventsView::of_account(&*query.read()));
    view! {
        <Title text="Account Event Log" />
        <div class="page-heading">
            <h1>"Account Event Log"</h1>
        </div>
        <p class="muted">
            "What happened to the smart account as a whole: users and roles, API keys, satellites, virtual accounts created or deleted. "
            "What happened inside a virtual account is in its own Event Log (Inventory → Event Log)."
        </p>
        <EventLog view />
    }
}

#[component]
fn EventLog(view: Memo<EventsView>) -> impl IntoView {
    let events = Resource::new(
        move || view.get(),
        |v| {
            list_events(EventQuery {
                pool: v.pool,
                account: v.account,
                from: v.from,
                to: v.to,
                kind: v.kind.map(EventKind::as_str).unwrap_or("").to_owned(),
                text: v.q,
                before: v.before,
                limit: None,
            })
        },
    );
    let kinds = EventKind::ALL
        .into_iter()
        .map(|k| {
            view! { <option value=k.as_str() selected=move || view.get().kind == Some(k)>{k.label()}</option> }
        })
        .collect_view();
    let v = view.get_untracked();
    let (action, hidden) = if v.account {
        ("/events", None)
    } else {
        let pool = v.pool.to_string();
        (
            "/inventory",
            Some(view! {
                <input type="hidden" name="va" value=pool />
                <input type="hidden" name="tab" value="events" />
            }),
        )
    };
    view! {
        <Form method="GET" on_form_data=crate::components::without_unnamed() action=action attr:class="filters" attr:aria-label="Filter events">
            {hidden}
            <div class="field">
                <label for="event-kind">"Kind"</label>
                <select id="event-kind" name="kind">
                    <option value="" selected=move || view.get().kind.is_none()>"All kinds"</option>
                    {kinds}
                </select>
            </div>
            <div class="field">
                <label for="event-text">"Search"</label>
                <input id="event-text" name="q" type="search" prop:value=move || view.get().q />
            </div>
            <div class="field">
                <label for="event-from">"From"</label>
                <input id="event-from" name="from" type="date" prop:value=move || view.get().from />
            </div>
            <div class="field">
                <label for="event-to">"To"</label>
                <input id="event-to" name="to" type="date" prop:value=move || view.get().to />
            </div>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => Either::Left(view! { <EventList page view=view.get_untracked() /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventList(page: EventPage, view: EventsView) -> impl IntoView {
    if page.rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No events match."</p> });
    }
    let newest = view.before.is_some().then(|| {
        let first = EventsView {
            before: None,
            ..view.clone()
        };
        (first.href(), "Newest events")
    });
    let older = page.older.map(|older| {
        let next = EventsView {
            before: Some(older),
            ..view.clone()
        };
        (next.href(), "Older events")
    });
    Either::Right(view! {
        <EventTable rows=page.rows caption="Events, newest first" />
        <Pager label="Event pages" back=newest forward=older />
    })
}
