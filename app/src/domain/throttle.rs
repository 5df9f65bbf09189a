//! The sign-in throttle's rule: how many failures, within what window, lock a key for how long.
//! The counters live in the database (so every portal process shares them); this is only the rule.

/// Limits for one kind of key (an account, or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed inside one window before the key is locked.
    pub max_failures: i32,
    /// Length of the counting window, seconds.
    pub window_secs: i64,
    /// How long a locked key stays locked, seconds.
    pub lockout_secs: i64,
}

impl ThrottlePolicy {
    /// Per account: 5 failures in 15 minutes lock the account's sign-in for 15 minutes.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        window_secs: 15 * 60,
        lockout_secs: 15 * 60,
    };
    /// Per client address: 20 failures in 15 minutes, whatever the usernames.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        max_failures: 20,
        window_secs: 15 * 60,
        lockout_secs: 15 * 60,
    };
}

/// The stored state of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_started_at: i64,
    pub locked_until: Option<i64>,
}

impl ThrottleState {
    /// Seconds until the key may try again, if it is locked at `now` (unix seconds).
    pub fn retry_after(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|&until| until > now)
            .map(|until| until - now)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(self, policy: ThrottlePolicy, now: i64) -> ThrottleState {
        let in_window = now - self.window_started_at < policy.window_secs && self.failures > 0;
        let (failures, window_started_at) = if in_window {
            (self.failures + 1, self.window_started_at)
        } else {
            (1, now)
        };
        let locked_until = if failures >= policy.max_failures {
            Some(now + policy.lockout_secs)
        } else {
            self.locked_until.filter(|&until| until > now)
        };
        ThrottleState {
            failures,
            window_started_at,
            locked_until,
        }
    }
}

impl ThrottleState {
    /// The state after a reserved attempt turned out right: one failure fewer, unlocked when that
    /// leaves the key under the limit.
    pub fn refunded(self, policy: ThrottlePolicy, now: i64) -> ThrottleState {
        let failures = (self.failures - 1).max(0);
        let locked_until = if failures < policy.max_failures {
            None
        } else {
            self.locked_until.filter(|&until| until > now)
        };
        ThrottleState {
            failures,
            locked_until,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ThrottlePolicy = ThrottlePolicy {
        max_failures: 3,
        window_secs: 100,
        lockout_secs: 50,
    };

    #[test]
    fn locks_after_max_failures_in_window() {
        let mut s = ThrottleState::default();
        for t in [1000, 1010] {
            s = s.after_failure(P, t);
            assert_eq!(s.retry_after(t), None);
        }
        s = s.after_failure(P, 1020);
        assert_eq!(s.retry_after(1020), Some(50));
        assert_eq!(s.retry_after(1069), Some(1));
        assert_eq!(s.retry_after(1070), None);
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let mut s = ThrottleState::default().after_failure(P, 0);
        s = s.after_failure(P, 10);
        s = s.after_failure(P, 200);
        assert_eq!(s.failures, 1);
        assert_eq!(s.window_started_at, 200);
        assert_eq!(s.retry_after(200), None);
    }

    #[test]
    fn a_refund_takes_back_one_failure_and_the_lock_it_set() {
        let mut s = ThrottleState::default();
        for t in [1000, 1001, 1002] {
            s = s.after_failure(P, t);
        }
        assert_eq!(s.retry_after(1002), Some(50));
        let back = s.refunded(P, 1002);
        assert_eq!((back.failures, back.locked_until), (2, None));
        assert_eq!(ThrottleState::default().refunded(P, 0).failures, 0);
    }
}
