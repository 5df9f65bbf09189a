//! What a submit did, told where the keyboard is: the button pressed is disabled while its request
//! runs, which drops the focus to the page's body; the outcome message takes it instead, so a
//! keyboard or screen-reader user lands on what happened and goes on from there.

use leptos::html::{Div, P};
use leptos::prelude::*;

/// A status line that shows `message` and takes the focus each time a new message appears (never
/// when the page loads with one: a page's first paint keeps the focus where the browser puts it).
#[component]
pub fn Outcome(
    #[prop(into)] message: Signal<Option<String>>,
    #[prop(optional)] class: Option<&'static str>,
) -> impl IntoView {
    let node = NodeRef::<P>::new();
    Effect::watch(
        move || message.get(),
        move |now, _, started: Option<()>| {
            if now.is_some() && started.is_some() {
                if let Some(p) = node.get_untracked() {
                    let _ = p.focus();
                }
            }
        },
        true,
    );
    let class = match class {
        Some(more) => format!("status {more}"),
        None => "status".to_owned(),
    };
    view! {
        <p class=class role="status" tabindex="-1" node_ref=node>
            {move || message.get()}
        </p>
    }
}

/// For a panel that appears only after a submit (a new key, link or registration file shown once):
/// the focus moves into it when it is mounted.
pub fn focus_when_mounted() -> NodeRef<Div> {
    let node = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(panel) = node.get() {
            let _ = panel.focus();
        }
    });
    node
}
