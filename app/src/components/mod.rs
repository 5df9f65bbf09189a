//! Widgets shared by the pages.

pub mod badge;
pub mod bulk;
pub mod copy_button;
pub mod errors;
pub mod event_table;
pub mod export_link;
pub mod history_chart;
pub mod layout;
pub mod once;
pub mod outcome;
pub mod pager;
pub mod pool_selector;
pub mod transfer_form;
pub mod usage_chart;

/// For every `<Form method="GET">`: drops the form's unnamed entry before the router builds the URL.
/// The router adds the submit button's name and value even when it has no name, which left a stray
/// `&=` on every searched or filtered page's address.
pub fn without_unnamed() -> std::sync::Arc<dyn Fn(&web_sys::FormData)> {
    std::sync::Arc::new(|data: &web_sys::FormData| data.delete(""))
}

/// Whether the page runs in the browser: false while the server renders it (and in a browser without
/// JavaScript), true once it has hydrated. For the parts that only scripts can work (a bulk bar, a
/// Copy button), shown only then.
pub fn scripted() -> leptos::prelude::Signal<bool> {
    use leptos::prelude::*;
    let scripted = RwSignal::new(false);
    Effect::new(move |_| scripted.set(true));
    scripted.into()
}
