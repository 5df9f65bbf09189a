//! A table of events, newest first: the Event Log tab and an instance's history.

use leptos::prelude::*;

use crate::format;
use crate::model::EventRow;

/// The events as a table with a caption for screen readers; a kind's badge carries its stable name
/// as a tooltip (the name the filters and exports use).
#[component]
pub fn EventTable(rows: Vec<EventRow>, caption: &'static str) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="nowrap">{format::second(e.at)}</td>
                    <td><span class="badge badge-neutral" title=e.kind.as_str()>{e.kind.label()}</span></td>
                    <td class="event-actor">{e.actor}</td>
                    <td class="event-message">{e.message}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        // A box the keyboard can scroll: on a phone the events are wider than the screen, and no row
        // holds anything else to focus.
        <div class="table-scroll" tabindex="0" role="region" aria-label=caption><table class="table event-table">
            <caption class="sr-only">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Event"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
