//! A "Copy" button for a secret the user must paste elsewhere (a registration token). It writes to the
//! clipboard; where the browser refuses (no clipboard API outside secure contexts, permission denied)
//! it selects the read-only field that shows the text instead (opening its `<details>`, if it is in
//! one), so that Ctrl+C copies it. Without JavaScript there is no button; the field is there to
//! select by hand.

use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

const COPIED: &str = "Copied";
const SELECTED: &str = "Selected: press Ctrl+C (⌘C on a Mac) to copy";

#[component]
pub fn CopyButton(
    /// What to copy.
    text: String,
    /// The read-only field that shows `text`.
    field: NodeRef<Input>,
    /// The button's accessible name when "Copy" alone would be ambiguous (one button per table row).
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let status = RwSignal::new(None::<&'static str>);
    // A button that cannot work is worse than none: it appears once the page runs scripts (effects
    // run only in the browser), which also keeps the server's HTML and hydration in step.
    let scripted = crate::components::scripted();
    let copy = move |_: leptos::ev::MouseEvent| {
        let fall_back = move || {
            status.set(Some(SELECTED));
            if let Some(input) = field.get_untracked() {
                select(&input);
            }
        };
        write_to_clipboard(&text, move || status.set(Some(COPIED)), fall_back)
    };
    view! {
        <span class="copy-button">
            {move || {
                scripted.get().then(|| view! {
                    <button type="button" class="button button-small" aria-label=label.clone() on:click=copy.clone()>
                        "Copy"
                    </button>
                })
            }}
            <span class="copy-status" role="status">
                {move || status.get()}
            </span>
        </span>
    }
}

/// Focuses and selects the field, opening the `<details>` around it first.
pub fn select(input: &web_sys::HtmlInputElement) {
    if let Ok(Some(details)) = input.closest("details") {
        let _ = details.set_attribute("open", "");
    }
    let _ = input.focus();
    input.select();
}

/// `navigator.clipboard.writeText(text)`, then `done` or, if the API is missing or the promise is
/// rejected, `failed`.
fn write_to_clipboard(text: &str, done: impl Fn() + 'static, failed: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return failed();
    };
    let clipboard = window.navigator().clipboard();
    // Undefined outside secure contexts (plain http on a non-loopback host).
    if clipboard.is_undefined() {
        return failed();
    }
    let promise = clipboard.write_text(text);
    let on_done = Closure::<dyn FnMut(JsValue)>::new(move |_| done());
    let on_failed = Closure::<dyn FnMut(JsValue)>::new(move |_| failed());
    let _ = promise.then2(&on_done, &on_failed);
    // The promise calls one of them later: JavaScript owns them from here on.
    on_done.forget();
    on_failed.forget();
}
