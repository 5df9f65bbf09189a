//! The links under a paged table: back and forward as plain links (so paging works without
//! JavaScript), and where the reader is, when the page knows.

use leptos::prelude::*;

/// A link of the pager: where it goes and what it says.
pub type PageLink = Option<(String, &'static str)>;

/// `<nav class="pager">` with an optional link back, a summary and a link forward.
#[component]
pub fn Pager(
    /// What the navigation is called for screen readers ("License pages").
    label: &'static str,
    /// Back to the first page, before `back` (where the pages are cursors, not numbers).
    #[prop(optional_no_strip)]
    first: PageLink,
    #[prop(optional_no_strip)] back: PageLink,
    #[prop(optional_no_strip)] summary: Option<String>,
    #[prop(optional_no_strip)] forward: PageLink,
) -> impl IntoView {
    let link = |l: PageLink| l.map(|(href, text)| view! { <a href=href>{text}</a> });
    view! {
        <nav class="pager" aria-label=label>
            {link(first)}
            {link(back)}
            {summary.map(|s| view! { <span>{s}</span> })}
            {link(forward)}
        </nav>
    }
}
