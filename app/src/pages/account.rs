//! The Account page of every user: change the password, see and revoke sessions, set up two-factor
//! sign-in; for account admins, require two-factor sign-in of everyone.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::components::once::Submit;
use crate::components::outcome::Outcome;
use leptos_meta::Title;

use crate::api::account::{
    get_account_info, ChangePassword, ConfirmTwoFactor, NewRecoveryCodes, RequireTwoFactor,
    RevokeSession, SignOutOthers, StartTwoFactor, TurnOffTwoFactor,
};
use crate::components::copy_button::CopyButton;
use crate::components::errors::{action_error, FieldError, FormError, LoadError};
use crate::format;
use crate::model::{AccountInfo, SessionRow};

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let others = ServerAction::<SignOutOthers>::new();
    let revoke = ServerAction::<RevokeSession>::new();
    let start = ServerAction::<StartTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let off = ServerAction::<TurnOffTwoFactor>::new();
    // Not among the resource's sources: the page keeps showing the new codes it answers with.
    let renew = ServerAction::<NewRecoveryCodes>::new();
    let require = ServerAction::<RequireTwoFactor>::new();
    let info = Resource::new(
        move || {
            (
                change.version().get(),
                others.version().get(),
                revoke.version().get(),
                confirm.version().get(),
                off.version().get(),
                require.version().get(),
            )
        },
        |_| get_account_info(),
    );
    let must_enrol = use_context::<crate::model::Me>().is_some_and(|m| m.must_enrol);
    view! {
        <Title text="Account" />
        <div class="page-heading"><h1>"Account"</h1></div>
        {must_enrol.then(|| view! {
            <p class="notice" role="alert">
                "Your smart account requires two-factor sign-in. Set it up below to continue."
            </p>
        })}
        <ChangePasswordForm change />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => Either::Left(view! {
                        <TwoFactorSection info=info.clone() start confirm off renew />
                        {info.may_require_two_factor.then(|| view! { <RequireSection required=info.account_requires_two_factor require /> })}
                        <SessionsSection sessions=info.sessions others revoke />
                    }),
                    Err(error) => Either::Right(view! { <LoadError error /> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangePasswordForm(change: ServerAction<ChangePassword>) -> impl IntoView {
    let error = action_error(&change);
    let form = NodeRef::<leptos::html::Form>::new();
    let done = move || change.value().get().is_some_and(|r| r.is_ok());
    Effect::new(move |_| {
        if done() {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.for_field(field).is_some())
                .to_string()
        }
    };
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change Password"</h2>
            <ActionForm action=change node_ref=form attr:novalidate=true>
                <div class="field">
                    <label for="current-password">"Current Password"</label>
                    <input id="current-password" name="current_password" type="password" autocomplete="current-password"
                        required aria-invalid=invalid("current_password") aria-describedby="current-password-error" />
                    <FieldError error field="current_password" id="current-password" />
                </div>
                <div class="field">
                    <label for="new-password">"New Password"</label>
                    <input id="new-password" name="new_password" type="password" autocomplete="new-password"
                        required aria-invalid=invalid("new_password") aria-describedby="new-password-hint new-password-error" />
                    <p class="hint" id="new-password-hint">"At least 12 characters; not a common password."</p>
                    <FieldError error field="new_password" id="new-password" />
                </div>
                <div class="field">
                    <label for="confirm-password">"Confirm Password"</label>
                    <input id="confirm-password" name="confirm_password" type="password" autocomplete="new-password"
                        required aria-invalid=invalid("confirm_password") aria-describedby="confirm-password-error" />
                    <FieldError error field="confirm_password" id="confirm-password" />
                </div>
                <Submit action=change class="button button-primary" label="Change Password" />
            </ActionForm>
            <FormError error />
            <Outcome message=Signal::derive(move || {
                done().then(|| "Password changed. Your other sessions have ended.".to_owned())
            }) />
        </section>
    }
}

#[component]
fn TwoFactorSection(
    info: AccountInfo,
    start: ServerAction<StartTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
    off: ServerAction<TurnOffTwoFactor>,
    renew: ServerAction<NewRecoveryCodes>,
) -> impl IntoView {
    let renew_error = action_error(&renew);
    let confirm_error = action_error(&confirm);
    let off_error = action_error(&off);
    let start_error = action_error(&start);
    let codes = move || confirm.value().get().and_then(|r| r.ok());
    let body = if let Some(codes) = codes() {
        EitherOf3::A(view! {
            <p class="status" role="status">"Two-factor sign-in is on."</p>
            <RecoveryCodes codes />
        })
    } else if info.two_factor {
        EitherOf3::B(view! {
            <p>{format!("On. {} recovery codes left.", info.recovery_codes_left)}</p>
            {move || match renew.value().get() {
                Some(Ok(codes)) => {
                    let panel = crate::components::outcome::focus_when_mounted();
                    Either::Left(view! {
                        <div class="status" role="status" tabindex="-1" node_ref=panel>
                            <p>"New recovery codes made: the old ones no longer work."</p>
                        </div>
                        <RecoveryCodes codes />
                    })
                }
                _ => Either::Right(view! {
                    <ActionForm action=renew attr:class="form-row" attr:novalidate=true>
                        <div class="field">
                            <label for="renew-code">"Code for New Recovery Codes"</label>
                            <input id="renew-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                                maxlength="20" required aria-describedby="renew-code-error renew-code-hint" />
                            <p class="hint" id="renew-code-hint">"A code from your app (or a recovery code). The old codes stop working."</p>
                            <FieldError error=renew_error field="code" id="renew-code" />
                        </div>
                        <Submit action=renew class="button" label="New Recovery Codes" />
                    </ActionForm>
                }),
            }}
            <ActionForm action=off attr:class="form-row" attr:novalidate=true>
                <div class="field">
                    <label for="off-code">"Authentication Code"</label>
                    <input id="off-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                        maxlength="20" required aria-describedby="off-code-error" />
                    <FieldError error=off_error field="code" id="off-code" />
                </div>
                <Submit action=off class="button button-danger" label="Turn Off" />
            </ActionForm>
        })
    } else {
        EitherOf3::C(view! {
            {move || match start.value().get() {
                Some(Ok(setup)) => Either::Left(view! {
                    <p>"Scan this code with your authenticator app, or type the secret into it, then type the 6-digit code it shows."</p>
                    <img class="qr-code" src=setup.qr_svg_data_url.clone() width="200" height="200"
                        alt="QR code of the two-factor secret" />
                    <p>"Secret: " <code class="mono" aria-label="Secret">{setup.secret.clone()}</code></p>
                    <ActionForm action=confirm attr:class="form-row" attr:novalidate=true>
                        <div class="field">
                            <label for="enrol-code">"Authentication Code"</label>
                            <input id="enrol-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                                maxlength="6" required autofocus aria-describedby="enrol-code-error" />
                            <FieldError error=confirm_error field="code" id="enrol-code" />
                        </div>
                        <Submit action=confirm class="button button-primary" label="Turn On" />
                    </ActionForm>
                }),
                _ => Either::Right(view! {
                    <p>"Off. With two-factor sign-in, signing in asks for a code from an app on your phone after the password."</p>
                    <ActionForm action=start>
                        <Submit action=start class="button button-primary" label="Set Up Two-Factor Sign-in" />
                    </ActionForm>
                }),
            }}
        })
    };
    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            {body}
            <FormError error=start_error />
            <FormError error=confirm_error />
            <FormError error=off_error />
            <FormError error=renew_error />
        </section>
    }
}

/// Ten recovery codes, shown once: the list, a Download as a text file and a Copy of them all.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!(
        "Recovery codes of the Licensing Portal. Each works once, instead of a code from your app.\n\n{}\n",
        codes.join("\n")
    );
    let all = codes.join(" ");
    let field = NodeRef::<leptos::html::Input>::new();
    view! {
        <p>"Keep these recovery codes somewhere safe. Each works once, instead of a code, if you lose your phone. They are shown only now."</p>
        <ul class="recovery-codes mono" aria-label="Recovery codes">
            {codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
        </ul>
        <div class="copy-row">
            <label for="recovery-codes-all" class="sr-only">"All recovery codes"</label>
            <input id="recovery-codes-all" type="text" class="mono" readonly value=all.clone() node_ref=field />
            <CopyButton text=all field label="Copy the recovery codes" />
            <a class="button" download="recovery-codes.txt" href=crate::links::data_url("text/plain", &text)>
                "Download recovery-codes.txt"
            </a>
        </div>
    }
}

#[component]
fn RequireSection(required: bool, require: ServerAction<RequireTwoFactor>) -> impl IntoView {
    let error = action_error(&require);
    view! {
        <section class="card" aria-labelledby="require-heading">
            <h2 id="require-heading">"Two-factor sign-in for everyone"</h2>
            <ActionForm action=require>
                <div class="field checkbox-field">
                    <input id="require-two-factor" name="require" type="checkbox" value="on" checked=required />
                    <label for="require-two-factor">"Require two-factor sign-in of every user of this smart account"</label>
                </div>
                <Submit action=require class="button" label="Save" />
            </ActionForm>
            <FormError error />
        </section>
    }
}

#[component]
fn SessionsSection(
    sessions: Vec<SessionRow>,
    others: ServerAction<SignOutOthers>,
    revoke: ServerAction<RevokeSession>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        action_error(&revoke)
            .get()
            .or_else(|| action_error(&others).get())
    });
    let ended = move || {
        others.value().get().and_then(|r| r.ok()).map(|n| match n {
            1 => "1 other session ended.".to_owned(),
            n => format!("{n} other sessions ended."),
        })
    };
    let rows = sessions
        .into_iter()
        .map(|s| {
            let label = format!("Revoke the session from {} ({})", s.address, s.browser);
            view! {
                <tr>
                    <td>{format::minute(s.started_at)}</td>
                    <td>{format::minute(s.last_seen_at)}</td>
                    <td>{s.address.clone()}</td>
                    <td>{s.browser.clone()}</td>
                    <td class="actions">
                        {if s.current {
                            Either::Left(view! { <span class="badge badge-info">"This session"</span> })
                        } else {
                            Either::Right(view! {
                                <ActionForm action=revoke attr:class="inline-form">
                                    <input type="hidden" name="id" value=s.id.clone() />
                                    <Submit action=revoke class="button button-small button-danger-quiet" aria_label=label label="Revoke" />
                                </ActionForm>
                            })
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <FormError error />
            // A box the keyboard can scroll (on a phone the table is wider than the screen).
            <div class="table-scroll" tabindex="0" role="region" aria-label="Your sessions"><table class="table">
                <caption class="sr-only">"Your sessions"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Last Seen"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Browser"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table></div>
            <ActionForm action=others>
                <Submit action=others class="button" label="Sign out other sessions" />
            </ActionForm>
            <Outcome message=Signal::derive(ended) />
        </section>
    }
}
