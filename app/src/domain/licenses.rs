//! License rules: when a lot counts, balances and alert marks, which lots a transfer takes, and the
//! orders the Licenses tab sorts by. Plain functions over plain types.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

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

/// A lot as a transfer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotTerm {
    pub id: i64,
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The lot of another pool it was transferred from (None for a provisioned lot).
    pub origin: Option<i64>,
}

/// Which lots a transfer of `quantity` takes from: (lot id, quantity taken) pairs.
///
/// The rule: only active lots give, the one ending soonest first; perpetual lots go last; equal ends
/// go oldest lot (lowest id) first. Why soonest first: a pool's licenses in use are covered by its
/// longest-lasting lots, and what is free to move is the rest. Taking the soonest-ending lots removes,
/// at every future moment, the fewest licenses still active then, so a transfer never brings the
/// giver's next shortage any closer than necessary. The end dates travel with the licenses, so the
/// receiver sees at once (as "Expiring in N days") what it got.
///
/// Err carries the active quantity when it is less than `quantity`.
pub fn pick_lots(
    lots: &[LotTerm],
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, i64> {
    let mut active: Vec<&LotTerm> = lots
        .iter()
        .filter(|l| l.quantity > 0 && LotState::at(l.starts_at, l.ends_at, now) == LotState::Active)
        .collect();
    let available: i64 = active.iter().map(|l| l.quantity).sum();
    if quantity > available {
        return Err(available);
    }
    // None (perpetual) sorts after every end date.
    active.sort_by_key(|l| (l.ends_at.is_none(), l.ends_at, l.id));
    let mut left = quantity;
    let mut picks = Vec::new();
    for lot in active {
        if left == 0 {
            break;
        }
        let take = lot.quantity.min(left);
        picks.push((lot.id, take));
        left -= take;
    }
    Ok(picks)
}

/// Why a transfer is refused before anything moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TransferError {
    #[error("Choose a virtual account other than the one the licenses are in.")]
    SameAccount,
    #[error("Choose a virtual account you may change.")]
    TargetNotAllowed,
    #[error("Enter a whole number from 1 to 1,000,000,000.")]
    BadQuantity,
    #[error("{}", too_many(*most))]
    TooMany { most: i64 },
}

fn too_many(most: i64) -> String {
    match most {
        0 => "At most 0 can move: every active license is in use.".to_owned(),
        _ => format!("At most {most} can move."),
    }
}

impl TransferError {
    /// The form field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TransferError::SameAccount | TransferError::TargetNotAllowed => "target",
            TransferError::BadQuantity | TransferError::TooMany { .. } => "quantity",
        }
    }
}

/// A quantity of licenses to move: a whole number from 1 to 1,000,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    /// What the user typed.
    pub fn parse(raw: &str) -> Result<Quantity, TransferError> {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| TransferError::BadQuantity)
            .and_then(Quantity::try_from)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = TransferError;

    fn try_from(n: i64) -> Result<Quantity, TransferError> {
        if (1..=MAX_TRANSFER).contains(&n) {
            Ok(Quantity(n))
        } else {
            Err(TransferError::BadQuantity)
        }
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        q.0
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What the transfer form sends, as typed: the target pool's id and the quantity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransferForm {
    pub target: String,
    pub quantity: String,
}

/// A transfer's target and quantity, parsed (the target's permission is the database's to check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferAsk {
    pub target: i64,
    pub quantity: Quantity,
}

impl TryFrom<&TransferForm> for TransferAsk {
    type Error = TransferError;

    /// The target first, then the quantity, as the form shows them.
    fn try_from(form: &TransferForm) -> Result<TransferAsk, TransferError> {
        let target = form
            .target
            .trim()
            .parse()
            .map_err(|_| TransferError::TargetNotAllowed)?;
        Ok(TransferAsk {
            target,
            quantity: Quantity::parse(&form.quantity)?,
        })
    }
}

/// One change a transfer makes to the lots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotChange {
    /// Takes `quantity` from the source lot `lot`, leaving `left` (the lot goes when 0 is left).
    Take { lot: i64, quantity: i64, left: i64 },
    /// Adds `quantity` to the target lot `into`, which came from the same source lot before.
    Merge { into: i64, quantity: i64 },
    /// A new target lot of `quantity` from the source lot `origin`, with that lot's dates.
    Create {
        origin: i64,
        quantity: i64,
        starts_at: DateTime<Utc>,
        ends_at: Option<DateTime<Utc>>,
    },
}

/// Plans a transfer of `quantity` from a pool holding `source` lots (and using `in_use` of the
/// license) to a pool holding `target` lots: which lots give (`pick_lots`), and where what they give
/// goes. Licenses that came from the same source lot before join the lot they made then (same
/// origin, same dates), so repeated transfers do not fragment the target's lots, whatever the pools
/// are called by now. Never moves more than the source can give (`transferable`).
pub fn plan_transfer(
    source: &[LotTerm],
    target: &[LotTerm],
    quantity: Quantity,
    in_use: i64,
    now: DateTime<Utc>,
) -> Result<Vec<LotChange>, TransferError> {
    let active = Standing::of_lots(
        source.iter().map(|l| (l.starts_at, l.ends_at, l.quantity)),
        0,
        now,
    )
    .purchased;
    check_quantity(quantity.get(), active, in_use)?;
    let picks =
        pick_lots(source, quantity.get(), now).map_err(|most| TransferError::TooMany { most })?;
    let mut changes = Vec::with_capacity(picks.len() * 2);
    for (lot_id, taken) in picks {
        let Some(lot) = source.iter().find(|l| l.id == lot_id) else {
            continue;
        };
        changes.push(LotChange::Take {
            lot: lot.id,
            quantity: taken,
            left: lot.quantity - taken,
        });
        let same = target.iter().find(|t| {
            t.origin == Some(lot.id) && t.starts_at == lot.starts_at && t.ends_at == lot.ends_at
        });
        changes.push(match same {
            Some(t) => LotChange::Merge {
                into: t.id,
                quantity: taken,
            },
            None => LotChange::Create {
                origin: lot.id,
                quantity: taken,
                starts_at: lot.starts_at,
                ends_at: lot.ends_at,
            },
        });
    }
    Ok(changes)
}

/// Checks a quantity against what the pool can give now.
pub fn check_quantity(quantity: i64, active: i64, in_use: i64) -> Result<(), TransferError> {
    let most = transferable(active, in_use);
    if quantity > most {
        return Err(TransferError::TooMany { most });
    }
    Ok(())
}

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
