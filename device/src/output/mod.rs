//! What the `show` commands print, in the shape of an IOS XR Smart Licensing agent: state words
//! (REGISTERED, AUTHORIZED, OUT OF COMPLIANCE, …) and dates such as `Nov 28 2026 03:09:12 UTC`.
//! Every function here is pure: the state and the device's time in, text out. This file holds the
//! licensing status views; `config` the pool, features, version, call-home, logging and clock views.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};
use device_protocol::EntitlementStatus;

use crate::catalogue;
use crate::schedule::{Attempt, Timer};
use crate::state::{DeviceState, LogLine};

mod config;
pub use config::{call_home, clock, features, logging, pool, version};

/// The evaluation period of an unregistered device.
pub const EVAL_PERIOD: Duration = Duration::days(90);

/// A date as the router prints it: `Nov 28 2026 03:09:12 UTC`.
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%b %d %Y %H:%M:%S UTC").to_string()
}

/// A log line as the console and `show logging` print it.
pub fn log_line(line: &LogLine) -> String {
    format!(
        "RP/0/RSP0/CPU0:{}: smartlicserver: {}",
        line.at.format("%b %d %Y %H:%M:%S%.3f UTC"),
        line.message
    )
}

/// `N days, H hours, M minutes`.
pub fn remaining(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    format!(
        "{} days, {} hours, {} minutes",
        minutes / 1440,
        (minutes % 1440) / 60,
        minutes % 60
    )
}

/// `REGISTERED`, `REGISTRATION FAILED` or `UNREGISTERED`.
pub fn registration_status(state: &DeviceState) -> &'static str {
    if state.registration.is_some() {
        "REGISTERED"
    } else if state
        .last_registration
        .as_ref()
        .is_some_and(|a| !a.succeeded())
    {
        "REGISTRATION FAILED"
    } else {
        "UNREGISTERED"
    }
}

/// The evaluation period left, when the device runs in evaluation mode.
fn eval_left(state: &DeviceState, now: DateTime<Utc>) -> Duration {
    let start = state.eval_started_at.unwrap_or(now);
    start + EVAL_PERIOD - now
}

/// The authorization state words, with their date when they have one.
pub fn authorization_status(state: &DeviceState, now: DateTime<Utc>) -> String {
    match (&state.registration, &state.authorization) {
        (Some(_), Some(auth)) if now >= auth.expires_at => {
            format!("AUTHORIZATION EXPIRED on {}", date(auth.expires_at))
        }
        (Some(_), Some(auth)) if auth.answer.status == EntitlementStatus::OutOfCompliance => {
            format!("OUT OF COMPLIANCE on {}", date(auth.issued_at))
        }
        (Some(_), Some(auth)) => format!("AUTHORIZED on {}", date(auth.issued_at)),
        _ if eval_left(state, now) <= Duration::zero() => "EVAL EXPIRED".to_owned(),
        _ => "EVAL MODE".to_owned(),
    }
}

/// One configured feature's status, as `show license summary` and `entitlements` print it.
pub fn entitlement_status(
    state: &DeviceState,
    tag: &str,
    count: i64,
    now: DateTime<Utc>,
) -> &'static str {
    let auth = match (&state.registration, &state.authorization) {
        (Some(_), Some(auth)) => auth,
        _ if eval_left(state, now) <= Duration::zero() => return "EVAL EXPIRED",
        _ => return "EVAL MODE",
    };
    if now >= auth.expires_at {
        return "AUTHORIZATION EXPIRED";
    }
    let asked = auth
        .requested
        .iter()
        .any(|e| e.tag == tag && e.count == count);
    match auth.answer.entitlements.iter().find(|e| e.tag == tag) {
        Some(e) if asked => match e.status {
            EntitlementStatus::Authorized => "AUTHORIZED",
            EntitlementStatus::OutOfCompliance => "OUT OF COMPLIANCE",
        },
        // Configured since the last answer (its request failed): evaluation until the portal answers.
        _ if !asked => "EVAL MODE",
        _ => "INVALID TAG",
    }
}

fn attempt(label: &str, attempt: &Option<Attempt>, ok: &str, out: &mut String) {
    match attempt {
        None => {
            let _ = writeln!(out, "  {label}: None");
        }
        Some(a) => match &a.failure {
            None => {
                let _ = writeln!(out, "  {label}: {ok} on {}", date(a.at));
            }
            Some(reason) => {
                let _ = writeln!(out, "  {label}: FAILED on {}", date(a.at));
                let _ = writeln!(out, "    Failure reason: {reason}");
            }
        },
    }
}

fn next(timer: &Timer) -> String {
    timer.next_at.map(date).unwrap_or_else(|| "None".to_owned())
}

fn disabled() -> String {
    "Smart Licensing is DISABLED\n\nTraditional licensing is active: see 'show license pool'.\n\
     Enable smart licensing with 'license smart enable' in admin config mode.\n"
        .to_owned()
}

fn registration_block(state: &DeviceState, out: &mut String) {
    let _ = writeln!(out, "Registration:");
    let _ = writeln!(out, "  Status: {}", registration_status(state));
    if let Some(reg) = &state.registration {
        let _ = writeln!(out, "  Smart Account: {}", reg.smart_account);
        let _ = writeln!(out, "  Virtual Account: {}", reg.virtual_account);
    }
    let export = match &state.registration {
        Some(reg) if reg.export_controlled_allowed => "Allowed",
        _ => "Not Allowed",
    };
    let _ = writeln!(out, "  Export-Controlled Functionality: {export}");
    match (&state.registration, &state.last_registration) {
        (Some(reg), _) => {
            let _ = writeln!(
                out,
                "  Initial Registration: SUCCEEDED on {}",
                date(reg.registered_at)
            );
            attempt(
                "Last Renewal Attempt",
                &state.timers.id_renew.last,
                "SUCCEEDED",
                out,
            );
            let _ = writeln!(
                out,
                "  Next Renewal Attempt: {}",
                next(&state.timers.id_renew)
            );
            let _ = writeln!(
                out,
                "  Registration Expires: {}",
                date(reg.id_cert_local.expires_at)
            );
        }
        (None, Some(last)) if !last.succeeded() => {
            attempt(
                "Initial Registration",
                &Some(last.clone()),
                "SUCCEEDED",
                out,
            );
        }
        _ => {}
    }
}

fn authorization_block(state: &DeviceState, now: DateTime<Utc>, out: &mut String) {
    let _ = writeln!(out, "License Authorization:");
    let _ = writeln!(out, "  Status: {}", authorization_status(state, now));
    if state.registration.is_none() {
        let left = eval_left(state, now);
        if left > Duration::zero() {
            let _ = writeln!(out, "  Evaluation Period Remaining: {}", remaining(left));
        }
        return;
    }
    attempt(
        "Last Communication Attempt",
        &state.timers.sync.last,
        "SUCCESS",
        out,
    );
    let _ = writeln!(
        out,
        "  Next Communication Attempt: {}",
        next(&state.timers.sync)
    );
    let deadline = state
        .authorization
        .as_ref()
        .map(|a| date(a.expires_at))
        .unwrap_or_else(|| "None".to_owned());
    let _ = writeln!(out, "  Communication Deadline: {deadline}");
}

/// `show license status`.
pub fn status(state: &DeviceState, now: DateTime<Utc>) -> String {
    if !state.config.smart_enabled {
        return disabled();
    }
    let mut out = String::from("Smart Licensing is ENABLED\n\n");
    registration_block(state, &mut out);
    out.push('\n');
    authorization_block(state, now, &mut out);
    out
}

/// `show license summary`: the status in short, then one line per entitlement in use.
pub fn summary(state: &DeviceState, now: DateTime<Utc>) -> String {
    if !state.config.smart_enabled {
        return disabled();
    }
    let mut out = String::from("Smart Licensing is ENABLED\n\n");
    let _ = writeln!(out, "Registration:");
    let _ = writeln!(out, "  Status: {}", registration_status(state));
    if let Some(reg) = &state.registration {
        let _ = writeln!(out, "  Smart Account: {}", reg.smart_account);
        let _ = writeln!(out, "  Virtual Account: {}", reg.virtual_account);
    }
    let _ = writeln!(out, "\nLicense Authorization:");
    let _ = writeln!(out, "  Status: {}", authorization_status(state, now));
    let _ = writeln!(out, "\nLicense Usage:");
    if state.config.features.is_empty() {
        let _ = writeln!(out, "  No licenses in use.");
        return out;
    }
    let _ = writeln!(
        out,
        "  {:<40} {:<18} {:>7}  Status",
        "License", "Entitlement tag", "Count"
    );
    let _ = writeln!(out, "  {}", "-".repeat(40 + 1 + 18 + 1 + 7 + 2 + 17));
    for (tag, &count) in &state.config.features {
        let _ = writeln!(
            out,
            "  {:<40} {:<18} {:>7}  {}",
            catalogue::description(tag),
            tag,
            count,
            entitlement_status(state, tag, count, now)
        );
    }
    out
}

fn entitlement_blocks(state: &DeviceState, now: DateTime<Utc>, out: &mut String) {
    if state.config.features.is_empty() {
        let _ = writeln!(out, "No licenses in use.");
        return;
    }
    let mut first = true;
    for (tag, &count) in &state.config.features {
        if !first {
            out.push('\n');
        }
        first = false;
        let _ = writeln!(out, "Entitlement tag: {tag}");
        let _ = writeln!(out, "  Description: {}", catalogue::description(tag));
        let _ = writeln!(out, "  Count: {count}");
        let _ = writeln!(out, "  Version: 1.0");
        let _ = writeln!(
            out,
            "  Status: {}",
            entitlement_status(state, tag, count, now)
        );
        let _ = writeln!(out, "  Enforcement Type: NOT ENFORCED");
    }
}

/// `show license entitlements`.
pub fn entitlements(state: &DeviceState, now: DateTime<Utc>) -> String {
    if !state.config.smart_enabled {
        return disabled();
    }
    let mut out = String::new();
    entitlement_blocks(state, now, &mut out);
    out
}

/// `show license all`: the status blocks, then every entitlement.
pub fn all(state: &DeviceState, now: DateTime<Utc>) -> String {
    if !state.config.smart_enabled {
        return disabled();
    }
    let mut out = status(state, now);
    out.push_str("\nLicense Usage:\n\n");
    entitlement_blocks(state, now, &mut out);
    out
}

/// `show license register status`: the last registration and renewal attempts with their results.
pub fn register_status(state: &DeviceState) -> String {
    let mut out = String::new();
    let cfg = &state.config;
    let _ = writeln!(out, "Registration:");
    let _ = writeln!(out, "  Status: {}", registration_status(state));
    let _ = writeln!(out, "  UDI: {}", cfg.udi);
    let _ = writeln!(out, "  Call-home destination: {}", cfg.destination);
    attempt(
        "Last Registration Attempt",
        &state.last_registration,
        "SUCCEEDED",
        &mut out,
    );
    if let Some(reg) = &state.registration {
        let _ = writeln!(out, "  Instance ID: {}", reg.instance_id);
        let _ = writeln!(out, "  ID Certificate Serial: {}", reg.id_cert.serial);
        let _ = writeln!(
            out,
            "  ID Certificate Issued: {}",
            date(reg.id_cert_local.issued_at)
        );
        attempt(
            "Last ID Certificate Renewal Attempt",
            &state.timers.id_renew.last,
            "SUCCEEDED",
            &mut out,
        );
        let _ = writeln!(
            out,
            "  Next ID Certificate Renewal Attempt: {}",
            next(&state.timers.id_renew)
        );
        let _ = writeln!(
            out,
            "  Registration Expires: {}",
            date(reg.id_cert_local.expires_at)
        );
        let _ = writeln!(out, "  Portal Signing Key (pinned): {}", reg.signing_key);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{AuthorizationState, Identity, Registration};
    use device_protocol::{
        Authorization, AuthorizeResponse, EntitlementAnswer, EntitlementRequest, IdCert, Udi,
    };

    fn at() -> DateTime<Utc> {
        "2026-11-28T03:09:12Z".parse().unwrap()
    }

    fn device() -> DeviceState {
        let mut s = DeviceState::new(Identity {
            hostname: "SAMDD".into(),
            udi: Udi {
                pid: "ASR-9006-AC".into(),
                sn: "FOX1".into(),
            },
        });
        s.config.smart_enabled = true;
        s.eval_started_at = Some(at());
        s.config.features.insert("A9K-100G-LIC".into(), 2);
        s
    }

    fn registered(status: EntitlementStatus) -> DeviceState {
        let mut s = device();
        let cert = IdCert {
            serial: "7".into(),
            issued_at: at(),
            expires_at: at() + Duration::days(365),
            renew_after: at() + Duration::days(180),
        };
        s.registration = Some(Registration {
            instance_id: "1".into(),
            credential: "dcr_x".into(),
            smart_account: "Acme".into(),
            virtual_account: "East".into(),
            id_cert: cert.clone(),
            id_cert_local: cert,
            signing_key: "k".into(),
            registered_at: at(),
            sync_interval_secs: 86_400,
            export_controlled_allowed: true,
        });
        s.authorization = Some(AuthorizationState {
            answer: AuthorizeResponse {
                status,
                entitlements: vec![EntitlementAnswer {
                    tag: "A9K-100G-LIC".into(),
                    count: 2,
                    status,
                }],
                authorization: Authorization {
                    issued_at: at(),
                    expires_at: at() + Duration::days(90),
                    renew_after: at() + Duration::days(30),
                },
                next_sync_at: at() + Duration::days(1),
                virtual_account: None,
            },
            requested: vec![EntitlementRequest {
                tag: "A9K-100G-LIC".into(),
                count: 2,
            }],
            issued_at: at(),
            renew_at: at() + Duration::days(30),
            expires_at: at() + Duration::days(90),
        });
        s.timers.sync.succeeded(at(), at() + Duration::days(1));
        s
    }

    #[test]
    fn dates_read_like_the_router() {
        assert_eq!(date(at()), "Nov 28 2026 03:09:12 UTC");
        assert_eq!(
            remaining(Duration::days(89) + Duration::minutes(61)),
            "89 days, 1 hours, 1 minutes"
        );
    }

    #[test]
    fn an_unregistered_device_is_in_evaluation() {
        let s = device();
        let text = status(&s, at() + Duration::days(1));
        assert!(text.starts_with("Smart Licensing is ENABLED"), "{text}");
        assert!(text.contains("  Status: UNREGISTERED"), "{text}");
        assert!(text.contains("  Status: EVAL MODE"), "{text}");
        assert!(
            text.contains("Evaluation Period Remaining: 89 days, 0 hours, 0 minutes"),
            "{text}"
        );
        assert_eq!(
            authorization_status(&s, at() + Duration::days(91)),
            "EVAL EXPIRED"
        );
        let mut off = s.clone();
        off.config.smart_enabled = false;
        assert!(status(&off, at()).starts_with("Smart Licensing is DISABLED"));
    }

    #[test]
    fn registered_devices_show_their_account_and_compliance() {
        let s = registered(EntitlementStatus::Authorized);
        let text = status(&s, at());
        assert!(
            text.contains("  Status: REGISTERED\n  Smart Account: Acme\n  Virtual Account: East"),
            "{text}"
        );
        assert!(
            text.contains("Status: AUTHORIZED on Nov 28 2026 03:09:12 UTC"),
            "{text}"
        );
        assert!(
            text.contains("Last Communication Attempt: SUCCESS on Nov 28 2026 03:09:12 UTC"),
            "{text}"
        );
        assert!(
            text.contains("Next Communication Attempt: Nov 29 2026 03:09:12 UTC"),
            "{text}"
        );
        assert!(
            text.contains("Communication Deadline: Feb 26 2027 03:09:12 UTC"),
            "{text}"
        );
        // What the token allowed, as the portal said at registration.
        assert!(
            text.contains("  Export-Controlled Functionality: Allowed\n"),
            "{text}"
        );
        let mut denied = s.clone();
        if let Some(reg) = denied.registration.as_mut() {
            reg.export_controlled_allowed = false;
        }
        assert!(status(&denied, at()).contains("  Export-Controlled Functionality: Not Allowed\n"));
        let line = summary(&s, at());
        assert!(
            line.contains("A9K-100G-LIC") && line.contains("AUTHORIZED"),
            "{line}"
        );

        let ooc = registered(EntitlementStatus::OutOfCompliance);
        assert!(status(&ooc, at()).contains("Status: OUT OF COMPLIANCE on"));
        assert!(entitlements(&ooc, at())
            .contains("  Status: OUT OF COMPLIANCE\n  Enforcement Type: NOT ENFORCED"));
        // Past the deadline the authorization has expired.
        let late = at() + Duration::days(91);
        assert!(status(&s, late).contains("Status: AUTHORIZATION EXPIRED on Feb 26 2027"));
        assert_eq!(
            entitlement_status(&s, "A9K-100G-LIC", 2, late),
            "AUTHORIZATION EXPIRED"
        );
        // A count changed since the answer waits for the portal.
        assert_eq!(entitlement_status(&s, "A9K-100G-LIC", 3, at()), "EVAL MODE");
    }

    #[test]
    fn failures_show_their_reason() {
        let mut s = device();
        s.last_registration = Some(Attempt {
            at: at(),
            failure: Some("portal answered 403 token_expired: expired".into()),
        });
        let text = status(&s, at());
        assert!(text.contains("Status: REGISTRATION FAILED"), "{text}");
        assert!(text.contains("Initial Registration: FAILED on Nov 28 2026 03:09:12 UTC\n    Failure reason: portal answered 403 token_expired"), "{text}");
        let mut r = registered(EntitlementStatus::Authorized);
        r.timers.sync.failed(
            at() + Duration::days(1),
            "portal unreachable: connection refused",
        );
        let text = status(&r, at() + Duration::days(1));
        assert!(text.contains("Last Communication Attempt: FAILED on Nov 29 2026 03:09:12 UTC\n    Failure reason: portal unreachable"), "{text}");
        assert!(
            text.contains("Next Communication Attempt: Nov 29 2026 03:29:12 UTC"),
            "{text}"
        );
    }
}
