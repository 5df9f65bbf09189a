//! How errors show: next to their field, or in a banner at the top of a form.

use leptos::prelude::*;

use crate::error::AppError;

/// The last error of an action, if any.
pub fn action_error<I, O>(action: &ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let value = action.value();
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The message under a field, when the error is about that field. Linked to the input by
/// `aria-describedby="<id>-error"`.
#[component]
pub fn FieldError(
    error: Signal<Option<AppError>>,
    field: &'static str,
    id: &'static str,
) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.for_field(field)).map(|message| {
            view! {
                <p class="field-error" id=format!("{id}-error")>
                    {message}
                </p>
            }
        })
    }
}

/// A banner for errors that are not about one field.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
            .map(|e| {
                view! {
                    <div class="banner banner-error" role="alert">
                        {e.to_string()}
                    </div>
                }
            })
    }
}

/// A full-width message for a page whose data could not load; when the session has ended (signed
/// out elsewhere, revoked, the user disabled), the sign-in page instead.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    if error == AppError::Unauthorized {
        return leptos::either::Either::Left(
            view! { <leptos_router::components::Redirect path="/login" /> },
        );
    }
    // A refusal about a field (a link's `link`, a page's `va`) is told in its words alone: the field's
    // name means nothing on a page without that field.
    let text = match error {
        AppError::Validation { message, .. } => message,
        other => other.to_string(),
    };
    leptos::either::Either::Right(view! {
        <div class="banner banner-error" role="alert">
            {text}
        </div>
    })
}
