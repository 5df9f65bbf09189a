//! The device-side timing of PROTOCOL.md, as pure functions of the time: the daily sync, the retry
//! schedule after a failure (every 20 minutes for 4 hours, then once a day for 30 days) and the
//! renewals of the ID certificate and of the authorization. Nothing here reads a clock, so the unit
//! tests walk the schedule with a test clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Retries after a failure come this often at first…
pub const FAST_RETRY: Duration = Duration::minutes(20);
/// …for this long after the first failure in a row…
pub const FAST_WINDOW: Duration = Duration::hours(4);
/// …then this often…
pub const SLOW_RETRY: Duration = Duration::days(1);
/// …for this long after the fast window; then the device stops retrying on its own.
pub const SLOW_WINDOW: Duration = Duration::days(30);

/// When to try again after a failed attempt at `attempt_at`, given that the first failure in a row
/// happened at `first_failure`; `None` once the retry schedule is over.
pub fn retry_after_failure(
    first_failure: DateTime<Utc>,
    attempt_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let fast_until = first_failure + FAST_WINDOW;
    if attempt_at < fast_until {
        // Never later than the end of the fast window, so a late attempt does not skip it.
        Some((attempt_at + FAST_RETRY).min(fast_until))
    } else if attempt_at < fast_until + SLOW_WINDOW {
        Some((attempt_at + SLOW_RETRY).min(fast_until + SLOW_WINDOW))
    } else {
        None
    }
}

/// Projects a period the portal stated in its own clock (`issued_at` … `at`) onto the device's clock,
/// where the answer arrived at `received_at`: the device schedules by its clock, so a skewed or
/// test-moved clock still renews on time.
pub fn local_time(
    received_at: DateTime<Utc>,
    issued_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> DateTime<Utc> {
    received_at + (at - issued_at)
}

/// The next daily sync after a success at `now`: one sync interval on, but no later than the
/// authorization's renewal time.
pub fn next_sync(
    now: DateTime<Utc>,
    interval: Duration,
    auth_renew_at: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let interval = interval.max(Duration::minutes(1));
    let daily = now + interval;
    match auth_renew_at {
        Some(renew) if renew < daily => renew.max(now),
        _ => daily,
    }
}

/// One attempt to talk to the portal: when, and why it failed if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    /// `None` when the attempt succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl Attempt {
    /// Whether the attempt succeeded.
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }
}

/// A recurring job (the sync, the ID certificate renewal): when it is next due, and its failures in a
/// row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// When the job is next due; `None`: not scheduled.
    pub next_at: Option<DateTime<Utc>>,
    /// The first failure of the current run of failures.
    pub first_failure_at: Option<DateTime<Utc>>,
    /// The latest attempt.
    pub last: Option<Attempt>,
}

impl Timer {
    /// A timer due at `at`.
    pub fn at(at: DateTime<Utc>) -> Timer {
        Timer {
            next_at: Some(at),
            ..Timer::default()
        }
    }

    /// Whether the job is due at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next_at.is_some_and(|t| t <= now)
    }

    /// Records a success at `now`; the job is next due at `next`.
    pub fn succeeded(&mut self, now: DateTime<Utc>, next: DateTime<Utc>) {
        self.first_failure_at = None;
        self.last = Some(Attempt {
            at: now,
            failure: None,
        });
        self.next_at = Some(next);
    }

    /// Records a failure at `now` and schedules the retry; returns it (`None`: retries are over).
    pub fn failed(
        &mut self,
        now: DateTime<Utc>,
        reason: impl Into<String>,
    ) -> Option<DateTime<Utc>> {
        let first = *self.first_failure_at.get_or_insert(now);
        self.last = Some(Attempt {
            at: now,
            failure: Some(reason.into()),
        });
        self.next_at = retry_after_failure(first, now);
        self.next_at
    }

    /// Makes the job due at once (a configuration change, a manual renewal).
    pub fn due_now(&mut self, now: DateTime<Utc>) {
        self.next_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "2026-11-28T03:00:00Z".parse().unwrap()
    }

    /// Fails every attempt as soon as it is due, like a device whose portal is down, and returns the
    /// times of the attempts after the first failure.
    fn failing_attempts(timer: &mut Timer, start: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut clock = start;
        timer.failed(clock, "unreachable");
        let mut attempts = Vec::new();
        while let Some(next) = timer.next_at {
            assert!(next > clock, "time moves on");
            clock = next;
            assert!(timer.is_due(clock));
            attempts.push(clock);
            timer.failed(clock, "unreachable");
            assert!(attempts.len() < 1000, "the schedule ends");
        }
        attempts
    }

    #[test]
    fn retries_every_20_minutes_for_4_hours_then_daily_for_30_days() {
        let mut timer = Timer::default();
        let attempts = failing_attempts(&mut timer, t0());
        let fast: Vec<_> = attempts.iter().take(12).collect();
        for (i, at) in fast.iter().enumerate() {
            assert_eq!(**at, t0() + Duration::minutes(20 * (i as i64 + 1)));
        }
        assert_eq!(*fast[11], t0() + Duration::hours(4));
        let slow = &attempts[12..];
        assert_eq!(slow.len(), 30, "one a day for 30 days");
        for (i, at) in slow.iter().enumerate() {
            assert_eq!(
                *at,
                t0() + Duration::hours(4) + Duration::days(i as i64 + 1)
            );
        }
        assert_eq!(
            timer.next_at, None,
            "then the device stops retrying by itself"
        );
        assert_eq!(
            timer.last.as_ref().unwrap().failure.as_deref(),
            Some("unreachable")
        );
    }

    #[test]
    fn a_late_attempt_does_not_skip_the_end_of_a_window() {
        let first = t0();
        // Nobody ran the device for 3 h 50 m: the next retry is at the end of the fast window.
        let late = first + Duration::minutes(230);
        assert_eq!(
            retry_after_failure(first, late),
            Some(first + Duration::hours(4))
        );
        // Well past everything: no more retries.
        assert_eq!(retry_after_failure(first, first + Duration::days(40)), None);
    }

    #[test]
    fn a_success_resets_the_failures_and_schedules_the_daily_sync() {
        let mut timer = Timer::at(t0());
        timer.failed(t0(), "unreachable");
        timer.failed(t0() + Duration::minutes(20), "unreachable");
        let ok_at = t0() + Duration::minutes(40);
        timer.succeeded(ok_at, next_sync(ok_at, Duration::days(1), None));
        assert_eq!(timer.first_failure_at, None);
        assert_eq!(timer.next_at, Some(ok_at + Duration::days(1)));
        assert!(!timer.is_due(ok_at + Duration::hours(23)));
        assert!(timer.is_due(ok_at + Duration::days(1)));
        // A new failure starts a new retry window from its own time.
        let later = ok_at + Duration::days(1);
        assert_eq!(timer.failed(later, "x"), Some(later + FAST_RETRY));
        assert_eq!(timer.first_failure_at, Some(later));
    }

    #[test]
    fn renewals_follow_the_portals_periods_on_the_device_clock() {
        // The portal issued an authorization at its 10:00, renewable 30 days on; the answer reached a
        // device whose clock is 2 days ahead.
        let issued: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        let renew_after = issued + Duration::days(30);
        let received = issued + Duration::days(2);
        let renew_local = local_time(received, issued, renew_after);
        assert_eq!(renew_local, received + Duration::days(30));
        // The daily sync is due before the renewal…
        assert_eq!(
            next_sync(received, Duration::days(1), Some(renew_local)),
            received + Duration::days(1)
        );
        // …unless the renewal comes first (an authorization close to its renewal time).
        let soon = received + Duration::hours(2);
        assert_eq!(next_sync(received, Duration::days(1), Some(soon)), soon);
        // A renewal time in the past makes the sync due at once, not in the past.
        assert_eq!(
            next_sync(received, Duration::days(1), Some(issued)),
            received
        );
    }
}
