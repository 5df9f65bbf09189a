//! The Event Log tab: newest first, filtered by kind and text, paged by a cursor.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::events::list_events;
use crate::components::errors::LoadError;
use crate::components::query::urlencode;
use crate::domain::events::EventKind;
use crate::model::EventPage;

#[component]
pub fn EventLogTab(pool: i64) -> impl IntoView {
    let query = use_query_map();
    let kind = move || query.read().get("kind").unwrap_or_default();
    let text = move || query.read().get("q").unwrap_or_default();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let events = Resource::new(
        move || (pool, kind(), text(), before()),
        |(pool, kind, text, before)| list_events(pool, kind, text, before),
    );
    let kinds = EventKind::ALL
        .into_iter()
        .map(|k| {
            view! { <option value=k.as_str() selected=move || kind() == k.as_str()>{k.label()}</option> }
        })
        .collect_view();
    view! {
        <h2 class="sr-only">"Event Log"</h2>
        <Form method="GET" action="/inventory" attr:class="filters">
            <input type="hidden" name="va" value=pool.to_string() />
            <input type="hidden" name="tab" value="events" />
            <div class="field">
                <label for="event-kind">"Kind"</label>
                <select id="event-kind" name="kind">
                    <option value="" selected=move || kind().is_empty()>"All kinds"</option>
                    {kinds}
                </select>
            </div>
            <div class="field">
                <label for="event-text">"Search"</label>
                <input id="event-text" name="q" type="search" prop:value=text />
            </div>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => Either::Left(view! { <EventTable page pool kind=kind() text=text() paged=before().is_some() /> }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventTable(
    page: EventPage,
    pool: i64,
    kind: String,
    text: String,
    paged: bool,
) -> impl IntoView {
    if page.rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No events match."</p> });
    }
    let link = move |before: Option<i64>| {
        let mut href = format!(
            "/inventory?va={pool}&tab=events&kind={}&q={}",
            urlencode(&kind),
            urlencode(&text)
        );
        if let Some(b) = before {
            href.push_str(&format!("&before={b}"));
        }
        href
    };
    let rows = page
        .rows
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="nowrap">{e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td><span class="badge badge-neutral" title=e.kind>{e.kind_label}</span></td>
                    <td>{e.actor}</td>
                    <td>{e.message}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="table">
            <caption class="sr-only">"Events, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Event"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Event pages">
            {paged.then(|| view! { <a href=link(None)>"Newest events"</a> })}
            {page.older.map(|older| view! { <a href=link(Some(older))>"Older events"</a> })}
        </nav>
    })
}
