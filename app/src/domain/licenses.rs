//! License rules: when a lot counts, balances and alert marks, which lots a transfer takes, and the
//! orders the Licenses tab sorts by. Plain functions over plain types.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub mod resolve;
mod transfer;

/// An active term lot ending within this many days raises "Expiring in N days".
pub const EXPIRY_WARNING_DAYS: i64 = 90;
/// The most licenses one transfer may move.
pub const MAX_TRANSFER: i64 = 1_000_000_000;

/// Where a lot stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotState {
    /// Its start is still ahead: it does not count yet.
    NotStarted,
    /// Started and not ended (a perpetual lot never ends): it counts.
    Active,
    /// Its end has passed: it stays visible and no longer counts.
    Expired,
}

impl LotState {
    pub const ALL: [LotState; 3] = [LotState::NotStarted, LotState::Active, LotState::Expired];

    /// The state at `now`. A lot counts from its start (inclusive) to its end (exclusive).
    ///
    /// Queries sum lots by this rule in SQL too (`sql::lot_state`); a property test checks that the two
    /// agree.
    pub fn at(
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> LotState {
        if ends_at.is_some_and(|end| end <= now) {
            LotState::Expired
        } else if now < starts_at {
            LotState::NotStarted
        } else {
            LotState::Active
        }
    }

    /// What the lots table shows.
    pub fn label(self) -> &'static str {
        match self {
            LotState::NotStarted => "Not started",
            LotState::Active => "Active",
            LotState::Expired => "Expired",
        }
    }
}

/// Active quantity minus in use; negative is a shortage.
pub fn balance(active: i64, in_use: i64) -> i64 {
    active - in_use
}

/// What a pool can give away: active licenses nobody uses. A pool in shortage gives none.
pub fn transferable(active: i64, in_use: i64) -> i64 {
    balance(active, in_use).max(0)
}

/// Whole days until `end`, rounded up: a lot ending in 19 days and 23 hours ends "in 20 days".
pub fn days_until(end: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (end - now).num_seconds();
    (secs + 86_399).div_euclid(86_400)
}

/// The mark a license carries in a pool. A shortage beats an expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LicenseAlert {
    /// More in use than active; `short` is how many are missing.
    Insufficient { short: i64 },
    /// An active term lot ends within `EXPIRY_WARNING_DAYS`.
    Expiring { days: i64 },
    /// Every lot has expired.
    Expired,
}

impl LicenseAlert {
    /// What the Alert column shows.
    pub fn label(self) -> String {
        match self {
            LicenseAlert::Insufficient { .. } => "Insufficient Licenses".to_owned(),
            LicenseAlert::Expiring { days: 1 } => "Expiring in 1 day".to_owned(),
            LicenseAlert::Expiring { days } => format!("Expiring in {days} days"),
            LicenseAlert::Expired => "Expired".to_owned(),
        }
    }

    /// Most severe first; the list query sorts by the same rank (no mark ranks 3).
    pub fn rank(alert: Option<LicenseAlert>) -> u8 {
        match alert {
            Some(LicenseAlert::Insufficient { .. }) => 0,
            Some(LicenseAlert::Expiring { .. }) => 1,
            Some(LicenseAlert::Expired) => 2,
            None => 3,
        }
    }
}

/// One license in one pool, summed over its lots (in SQL for the list, from the lots for a detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Quantity of the active lots.
    pub purchased: i64,
    pub in_use: i64,
    /// The soonest end among the active term lots.
    pub nearest_expiry: Option<DateTime<Utc>>,
    /// Lots of any state, and how many of them have expired.
    pub lots: i64,
    pub expired_lots: i64,
}

impl Standing {
    /// Sums `lots` (start, end, quantity) at `now`.
    pub fn of_lots(
        lots: impl IntoIterator<Item = (DateTime<Utc>, Option<DateTime<Utc>>, i64)>,
        in_use: i64,
        now: DateTime<Utc>,
    ) -> Standing {
        let mut s = Standing {
            in_use,
            ..Standing::default()
        };
        for (starts_at, ends_at, quantity) in lots {
            s.lots += 1;
            match LotState::at(starts_at, ends_at, now) {
                LotState::Active => {
                    s.purchased += quantity;
                    if let Some(end) = ends_at {
                        s.nearest_expiry = Some(s.nearest_expiry.map_or(end, |n| n.min(end)));
                    }
                }
                LotState::Expired => s.expired_lots += 1,
                LotState::NotStarted => {}
            }
        }
        s
    }

    /// Purchased minus in use.
    pub fn balance(&self) -> i64 {
        balance(self.purchased, self.in_use)
    }

    /// The most a transfer may take from here now.
    pub fn transferable(&self) -> i64 {
        transferable(self.purchased, self.in_use)
    }

    /// The mark: a shortage first, then an active term lot ending within 90 days, then "Expired" when
    /// only expired lots remain (a lot not started yet means more is coming, so no mark).
    pub fn alert(&self, now: DateTime<Utc>) -> Option<LicenseAlert> {
        if self.balance() < 0 {
            return Some(LicenseAlert::Insufficient {
                short: -self.balance(),
            });
        }
        if let Some(end) = self
            .nearest_expiry
            .filter(|&end| end <= now + Duration::days(EXPIRY_WARNING_DAYS))
        {
            return Some(LicenseAlert::Expiring {
                days: days_until(end, now),
            });
        }
        (self.lots > 0 && self.expired_lots == self.lots).then_some(LicenseAlert::Expired)
    }
}

pub use transfer::*;

/// The SQL of `LotState::at`, for queries that sum or filter lots.
#[cfg(feature = "ssr")]
pub mod sql {
    use chrono::{DateTime, Utc};
    use sea_orm::sea_query::{Expr, ExprTrait, IntoIden};
    use sea_orm::Condition;

    use super::LotState;
    use crate::entities::license_lot;

    /// The lots of `table` (the `license_lots` table or an alias of it) in `state` at `now`.
    pub fn lot_state(state: LotState, table: impl IntoIden, now: DateTime<Utc>) -> Condition {
        let table = table.into_iden();
        let col = |c: license_lot::Column| Expr::col((table.clone(), c));
        let starts = || col(license_lot::Column::StartsAt);
        let ends = || col(license_lot::Column::EndsAt);
        let ended = || {
            Condition::all()
                .add(ends().is_not_null())
                .add(ends().lte(now))
        };
        // `Condition::not` negates everything the condition holds, later additions included: the
        // negation goes inside.
        match state {
            LotState::Expired => ended(),
            LotState::NotStarted => Condition::all().add(ended().not()).add(starts().gt(now)),
            LotState::Active => Condition::all().add(ended().not()).add(starts().lte(now)),
        }
    }

    /// The lots of `license_lots` that count at `now`.
    pub fn lot_is_active(now: DateTime<Utc>) -> Condition {
        lot_state(LotState::Active, license_lot::Entity, now)
    }
}

#[cfg(test)]
mod tests;
