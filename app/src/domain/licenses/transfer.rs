//! Transfers of licenses between pools: what the form gives (parsed), which lots give (`pick_lots`),
//! and the whole plan of lot changes (`plan_transfer`), as plain functions over plain types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{transferable, LotState, Standing, MAX_TRANSFER};

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
    pick_lots_in(lots, quantity, LotOrder::SoonestFirst, now)
}

/// Which lots a transfer takes first. A transfer the user asks for takes the soonest-ending
/// (`pick_lots`); "Resolve Shortages…" takes the longest-lasting where that keeps the receiving pool
/// compliant longer without bringing the giver's own next shortage closer (`resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotOrder {
    #[default]
    SoonestFirst,
    LatestFirst,
}

/// `pick_lots` in either order (equal ends: the oldest lot first, both ways).
pub fn pick_lots_in(
    lots: &[LotTerm],
    quantity: i64,
    order: LotOrder,
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
    match order {
        LotOrder::SoonestFirst => active.sort_by_key(|l| (l.ends_at.is_none(), l.ends_at, l.id)),
        LotOrder::LatestFirst => {
            active.sort_by_key(|l| (l.ends_at.is_some(), std::cmp::Reverse(l.ends_at), l.id))
        }
    }
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
    plan_transfer_in(
        source,
        target,
        quantity,
        in_use,
        LotOrder::SoonestFirst,
        now,
    )
}

/// `plan_transfer` taking lots in `order`.
pub fn plan_transfer_in(
    source: &[LotTerm],
    target: &[LotTerm],
    quantity: Quantity,
    in_use: i64,
    order: LotOrder,
    now: DateTime<Utc>,
) -> Result<Vec<LotChange>, TransferError> {
    let active = Standing::of_lots(
        source.iter().map(|l| (l.starts_at, l.ends_at, l.quantity)),
        0,
        now,
    )
    .purchased;
    check_quantity(quantity.get(), active, in_use)?;
    let picks = pick_lots_in(source, quantity.get(), order, now)
        .map_err(|most| TransferError::TooMany { most })?;
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
