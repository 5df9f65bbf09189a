//! Request limits per client address and per credential, in fixed one-minute windows.
//!
//! The counters are per portal process: they protect each process from a flood, so N processes behind
//! a load balancer admit up to N times the limit. (The sign-in throttle, which guards passwords, is the
//! limit that lives in the database.) Credentials are counted by their SHA-256, never kept as sent.

use std::collections::HashMap;
use std::sync::Mutex;

/// Requests per minute.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_address: u32,
    pub per_credential: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_address: 600,
            per_credential: 60,
        }
    }
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request at `now` (unix seconds); `Err(seconds)` when a limit is reached.
    pub fn check(&self, address: &str, credential: Option<&str>, now: i64) -> Result<(), i64> {
        let window = now - now.rem_euclid(WINDOW_SECS);
        let retry_after = window + WINDOW_SECS - now;
        let mut windows = match self.windows.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| *start == window);
        }
        let mut keys = vec![(format!("a:{address}"), self.limits.per_address)];
        if let Some(c) = credential {
            keys.push((
                format!("c:{}", app::services::secrets::sha256_hex(c)),
                self.limits.per_credential,
            ));
        }
        for (key, limit) in &keys {
            let entry = windows.entry(key.clone()).or_insert((window, 0));
            if entry.0 != window {
                *entry = (window, 0);
            }
            if entry.1 >= *limit {
                return Err(retry_after.max(1));
            }
        }
        for (key, _) in keys {
            if let Some(entry) = windows.get_mut(&key) {
                entry.1 += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_budget_per_window() {
        let l = RateLimiter::new(RateLimits {
            per_address: 3,
            per_credential: 2,
        });
        assert!(l.check("a", Some("c1"), 120).is_ok());
        assert!(l.check("a", Some("c1"), 121).is_ok());
        assert_eq!(
            l.check("a", Some("c1"), 130),
            Err(50),
            "credential budget spent"
        );
        assert!(l.check("a", Some("c2"), 131).is_ok());
        assert_eq!(
            l.check("a", None, 131),
            Err(49),
            "address budget spent (refusals did not count)"
        );
        assert!(l.check("b", None, 131).is_ok());
        assert!(l.check("a", Some("c1"), 180).is_ok(), "a new window");
    }
}
