//! What makes a state-changing form safe to submit twice: its one-time form id (`FormId`, checked by
//! the server in the change's transaction, `services::forms`) and its submit button, disabled while
//! the request runs (`Submit`).

use leptos::prelude::*;

use crate::error::AppError;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh form id: 22 random letters and digits (about 131 bits). Made on the server while the page
/// renders (it stays as rendered when the page hydrates: a static attribute is never rewritten), and
/// in the browser for a form it builds itself.
pub fn new_form_id() -> String {
    #[cfg(feature = "ssr")]
    let mut pick = {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        move || rng.gen_range(0..ALPHABET.len())
    };
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let pick = || (js_sys::Math::random() * ALPHABET.len() as f64) as usize % ALPHABET.len();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let mut pick = {
        let mut i = 0;
        move || {
            i += 1;
            i % ALPHABET.len()
        }
    };
    (0..22).map(|_| ALPHABET[pick()] as char).collect()
}

/// The hidden `form_id` of a form posting to `action`. After a submission succeeds the form gets a
/// new id (the next submission is another change); after a failure it keeps it, so that a retry of a
/// request that timed out is still recognised as the same one.
#[component]
pub fn FormId<I, O>(action: ServerAction<I>) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let input = NodeRef::<leptos::html::Input>::new();
    let value = action.value();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            if let Some(el) = input.get_untracked() {
                el.set_value(&new_form_id());
            }
        }
    });
    view! { <input type="hidden" name="form_id" value=new_form_id() node_ref=input /> }
}

/// A form's submit button, disabled (and busy) while its action runs, so that a double click sends
/// one request.
#[component]
pub fn Submit<I, O>(
    action: ServerAction<I>,
    /// The button's words.
    label: &'static str,
    /// Its classes (default: the primary button).
    #[prop(optional)]
    class: Option<&'static str>,
    /// Its accessible name when the words alone are ambiguous (a row's "Revoke").
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let pending = action.pending();
    view! {
        <button type="submit" class=class.unwrap_or("button button-primary")
            aria-label=aria_label
            disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {label}
        </button>
    }
}
