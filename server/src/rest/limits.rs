//! Requests per minute per API key, in fixed one-minute windows, counted by each portal process on
//! its own (like the device limits: N processes behind a load balancer admit up to N times the limit).
//! Every answer says where the key stands (`RateLimit-Limit`, `RateLimit-Remaining`,
//! `RateLimit-Reset`); past the limit the answer is 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;

const WINDOW_SECS: i64 = 60;

/// Where a key stands in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset: i64,
}

#[derive(Debug)]
pub struct KeyLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<i64, (i64, u32)>>,
}

impl KeyLimiter {
    pub fn new(per_minute: u32) -> KeyLimiter {
        KeyLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key` at `now` (unix seconds): `Ok` with the standing after it, or
    /// `Err` with the standing when the limit is reached (the request is not counted).
    pub fn check(&self, key: i64, now: i64) -> Result<Standing, Standing> {
        let window = now - now.rem_euclid(WINDOW_SECS);
        let reset = (window + WINDOW_SECS - now).max(1);
        let mut windows = match self.windows.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(key).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let standing = |used: u32| Standing {
            limit: self.per_minute,
            remaining: self.per_minute.saturating_sub(used),
            reset,
        };
        if entry.1 >= self.per_minute {
            return Err(standing(entry.1));
        }
        entry.1 += 1;
        Ok(standing(entry.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window_and_others_theirs() {
        let l = KeyLimiter::new(3);
        let t = 1_800_000_010;
        assert_eq!(l.check(1, t).unwrap().remaining, 2);
        l.check(1, t).unwrap();
        assert_eq!(l.check(1, t).unwrap().remaining, 0);
        let refused = l.check(1, t + 5).unwrap_err();
        assert_eq!((refused.remaining, refused.reset), (0, 45));
        assert!(l.check(2, t).is_ok(), "another key counts apart");
        assert!(l.check(1, t + 50).is_ok(), "the next window starts afresh");
    }
}
