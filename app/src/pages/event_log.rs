//! The Event Log tab: newest first, filtered by kind and text, paged by a cursor.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::events::list_events;
use crate::components::errors::LoadError;
use crate::components::event_table::EventTable;
use crate::components::pager::Pager;
use crate::domain::events::EventKind;
use crate::links::EventsView;
use crate::model::{EventPage, EventQuery};

#[component]
pub fn EventLogTab(pool: i64) -> impl IntoView {
    let query = use_query_map();
    let view = Memo::new(move |_| EventsView::of(pool, &*query.read()));
    let events = Resource::new(
        move || view.get(),
        |v| {
            list_events(EventQuery {
                pool: v.pool,
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
    view! {
        <h2 class="sr-only">"Event Log"</h2>
        <Form method="GET" on_form_data=crate::components::without_unnamed() action="/inventory" attr:class="filters">
            <input type="hidden" name="va" value=pool.to_string() />
            <input type="hidden" name="tab" value="events" />
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
