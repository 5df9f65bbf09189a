//! The other `show` views: the pool, the chassis' features, the agent's version, the call-home
//! profile, the log buffer and the clock.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};

use super::log_line;
use crate::catalogue;
use crate::clock::short_duration;
use crate::state::DeviceState;

/// `show license pool`: the virtual account in smart mode, the local pool in traditional mode.
pub fn pool(state: &DeviceState) -> String {
    let mut out = String::new();
    if state.config.smart_enabled {
        match &state.registration {
            Some(reg) => {
                let _ = writeln!(out, "Smart Licensing Pool:");
                let _ = writeln!(out, "  Smart Account: {}", reg.smart_account);
                let _ = writeln!(out, "  Virtual Account (pool): {}", reg.virtual_account);
            }
            None => {
                let _ = writeln!(
                    out,
                    "The device is not registered: it belongs to no virtual account yet."
                );
            }
        }
        return out;
    }
    let _ = writeln!(out, "Traditional licensing pool: Default (local)");
    if state.config.features.is_empty() {
        let _ = writeln!(out, "  No features configured.");
    }
    for (tag, count) in &state.config.features {
        let _ = writeln!(out, "  {tag:<18} {count:>7}");
    }
    out
}

/// `show license features`: what this chassis offers and what is in use.
pub fn features(state: &DeviceState) -> String {
    let cfg = &state.config;
    let mut out = format!(
        "Licensed features of this chassis ({}, {}):\n  {:<18} {:>7}  Description\n",
        cfg.product, cfg.udi.pid, "Entitlement tag", "In use"
    );
    let mut known: Vec<&str> = Vec::new();
    for (tag, description) in catalogue::FEATURES {
        known.push(tag);
        let used = cfg
            .features
            .get(*tag)
            .map(|n| n.to_string())
            .unwrap_or_else(|| "-".to_owned());
        let _ = writeln!(out, "  {tag:<18} {used:>7}  {description}");
    }
    for (tag, count) in &cfg.features {
        if !known.contains(&tag.as_str()) {
            let _ = writeln!(
                out,
                "  {tag:<18} {count:>7}  {}",
                catalogue::description(tag)
            );
        }
    }
    out
}

/// `show license version`.
pub fn version(state: &DeviceState) -> String {
    format!(
        "Smart Licensing Agent, device client version {}\n\
         Protocol: device API v1 ({})\n\
         Platform: {} {}, IOS XR {} (simulated)\n",
        env!("CARGO_PKG_VERSION"),
        device_protocol::BASE_PATH,
        state.config.product,
        state.config.udi.pid,
        state.config.software_version
    )
}

/// `show run call-home`: the transport profile.
pub fn call_home(state: &DeviceState) -> String {
    let cfg = &state.config;
    let transport = if cfg.destination.starts_with("http://") {
        "http"
    } else {
        "https"
    };
    let mut out = String::from("call-home\n service active\n contact smart-licensing\n");
    let _ = writeln!(out, " profile SmartLicensing");
    let _ = writeln!(
        out,
        "  {}",
        if cfg.smart_enabled {
            "active"
        } else {
            "no active"
        }
    );
    let _ = writeln!(out, "  destination address {}", cfg.destination);
    let _ = writeln!(out, "  destination transport-method {transport}");
    if let Some(ca) = &cfg.ca_file {
        let _ = writeln!(out, "  ca-file {}", ca.display());
    }
    out.push_str(" !\n!\n");
    out
}

/// `show logging`: the buffer, oldest first.
pub fn logging(state: &DeviceState) -> String {
    let mut out = format!(
        "Syslog logging: enabled\n    Buffer logging: level informational, {} messages logged\n\nLog Buffer:\n",
        state.log.len()
    );
    for line in &state.log {
        let _ = writeln!(out, "{}", log_line(line));
    }
    out
}

/// `show clock`, with the test offset when there is one.
pub fn clock(state: &DeviceState, now: DateTime<Utc>) -> String {
    let mut out = now.format("%H:%M:%S%.3f UTC %a %b %d %Y\n").to_string();
    if state.clock_offset_secs != 0 {
        let _ = writeln!(
            out,
            "(test clock: {} from the system clock)",
            short_duration(Duration::seconds(state.clock_offset_secs))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Identity;
    use device_protocol::Udi;

    fn device() -> DeviceState {
        DeviceState::new(Identity {
            hostname: "SAMDD".into(),
            udi: Udi {
                pid: "ASR-9006-AC".into(),
                sn: "FOX1".into(),
            },
        })
    }

    #[test]
    fn call_home_shows_the_transport() {
        let mut s = device();
        assert!(call_home(&s).contains("destination transport-method https"));
        s.config.destination = "http://satellite:8080".into();
        let text = call_home(&s);
        assert!(
            text.contains("destination address http://satellite:8080"),
            "{text}"
        );
        assert!(text.contains("transport-method http\n"), "{text}");
    }

    #[test]
    fn traditional_mode_shows_the_local_pool() {
        let mut s = device();
        s.config.features.insert("A9K-100G-LIC".into(), 2);
        let text = pool(&s);
        assert!(
            text.starts_with("Traditional licensing pool: Default (local)"),
            "{text}"
        );
        assert!(
            text.contains("A9K-100G-LIC") && text.contains(" 2"),
            "{text}"
        );
        assert!(features(&s).contains("A9K-100G-LIC             2  ASR 9000 100GE port license"));
        s.config.smart_enabled = true;
        assert!(pool(&s).contains("not registered"));
    }
}
