//! The work the timers make due, run whenever a command runs: the ID certificate renewal, the sync
//! (daily, retries, authorization renewal), and the one-time notices of an expired authorization or
//! evaluation period.

use chrono::Duration;

use super::Device;
use crate::output::{self, date, EVAL_PERIOD};

impl Device {
    /// The timers' due work, and the one-time expiry notices.
    pub(super) async fn run_due(&mut self) {
        if !self.state.config.smart_enabled {
            return;
        }
        let now = self.now();
        if self.state.registration.is_some() {
            if self.state.timers.id_renew.is_due(now) {
                let _ = self.renew_id().await;
            }
            if self.state.registration.is_some() && self.state.timers.sync.is_due(now) {
                let _ = self.sync().await;
            }
            let expired = self
                .state
                .authorization
                .as_ref()
                .filter(|a| now >= a.expires_at)
                .map(|a| a.expires_at);
            if let (Some(at), false) = (expired, self.state.notices.authorization_expired) {
                self.state.notices.authorization_expired = true;
                self.log(format!("%SMART_LIC-6-AUTHORIZATION_EXPIRED: The authorization expired on {}; the device keeps working (honour system)", date(at)));
            }
            return;
        }
        let Some(started) = self.state.eval_started_at else {
            return;
        };
        let left = started + EVAL_PERIOD - now;
        if left <= Duration::zero() && !self.state.notices.eval_expired {
            self.state.notices.eval_expired = true;
            self.log(
                "%SMART_LIC-3-EVAL_EXPIRED: The evaluation period has expired; register the device"
                    .into(),
            );
        } else if left > Duration::zero()
            && left <= Duration::days(7)
            && !self.state.notices.eval_warning
        {
            self.state.notices.eval_warning = true;
            self.log(format!(
                "%SMART_LIC-4-EVAL_WILL_EXPIRE_WARNING: The evaluation period will expire in {}",
                output::remaining(left)
            ));
        }
    }
}
