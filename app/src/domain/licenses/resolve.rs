//! "Resolve Shortages…": the fewest transfers, then the fewest licenses moved, that clear every
//! shortage among the pools a user may change, taken from pools with licenses nobody uses and never
//! taking a pool below what it uses. What no plan can clear is reported as licenses to buy.
//!
//! Load → plan → apply: the service loads each license's lots and usage in the pools the user may
//! change, `plan_shortages` decides, and the service applies the plan as transfers in one
//! transaction. Licenses are planned one by one (a transfer moves one license), so the fewest in all
//! is the sum of the fewest per license (`fewest_moves`).
//!
//! Term lots: a transfer normally takes the giver's soonest-ending lots (`pick_lots`). Here it takes
//! the longest-lasting instead only where that keeps the receiver compliant longer and does not bring
//! the giver's own next shortage any closer; where the plans tie on transfers and quantity, givers
//! whose free licenses last longest are preferred.
//!
//! Forecasts: pools where the license is expected to run short (`expecting_shortage`) give only what
//! the other pools cannot, and their moves say so (`from_expects_shortage`).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{pick_lots_in, LotOrder, LotState, LotTerm};

mod fewest;
pub use fewest::{fewest_moves, EXACT_LIMIT};

/// One license in one pool the user may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub pool: i64,
    pub in_use: i64,
    pub lots: Vec<LotTerm>,
}

/// One license across the pools the user may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseHoldings {
    pub license: i64,
    pub tag: String,
    pub holdings: Vec<Holding>,
    /// The pools where this license is expected to run short (the forecast): they give only when
    /// the other pools cannot cover the shortages.
    pub expecting_shortage: BTreeSet<i64>,
}

/// One transfer of a plan. The balances are the two pools' for this license once the whole plan
/// has run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMove {
    pub license: i64,
    pub tag: String,
    pub from: i64,
    pub to: i64,
    pub quantity: i64,
    pub order: LotOrder,
    pub from_balance: i64,
    pub to_balance: i64,
    /// The giver is itself expected to run short of the license (no other pool could cover it).
    pub from_expects_shortage: bool,
}

/// Licenses no plan can find among the pools: "buy 3 × A9K-100G-LIC".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub license: i64,
    pub tag: String,
    pub quantity: i64,
}

/// The transfers, by license tag, receiver, giver; and what is still missing, by tag.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShortagePlan {
    pub moves: Vec<PlannedMove>,
    pub missing: Vec<Shortfall>,
}

impl ShortagePlan {
    /// No shortage at all.
    pub fn is_empty(&self) -> bool {
        self.moves.is_empty() && self.missing.is_empty()
    }
}

/// The quantity of `lots` active at `at`.
pub fn active_at(lots: &[LotTerm], at: DateTime<Utc>) -> i64 {
    lots.iter()
        .filter(|l| LotState::at(l.starts_at, l.ends_at, at) == LotState::Active)
        .map(|l| l.quantity)
        .sum()
}

/// The first moment from `now` at which fewer than `in_use` of `lots` are active; None: never.
/// Between two lot ends the active quantity only grows (lots start), so the ends are the moments
/// to look at.
pub fn compliant_until(lots: &[LotTerm], in_use: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut moments: Vec<DateTime<Utc>> = lots
        .iter()
        .filter_map(|l| l.ends_at)
        .filter(|&end| end > now)
        .collect();
    moments.push(now);
    moments.sort();
    moments.into_iter().find(|&at| active_at(lots, at) < in_use)
}

/// Whether compliance until `a` lasts longer than until `b` (None: for ever).
fn lasts_longer(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> bool {
    match (a, b) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

/// Moves from `givers` to `short` (positions in the pools, with quantities): every shortage with
/// the fewest moves when the givers have enough; else every free license, to as few receivers at a
/// time as can be.
fn allocate(short: &[(usize, i64)], givers: &[(usize, i64)]) -> Vec<(usize, usize, i64)> {
    if short.is_empty() || givers.is_empty() {
        return Vec::new();
    }
    let needs: Vec<i64> = short.iter().map(|s| s.1).collect();
    let supplies: Vec<i64> = givers.iter().map(|g| g.1).collect();
    if supplies.iter().sum::<i64>() >= needs.iter().sum::<i64>() {
        fewest_moves(&needs, &supplies)
            .into_iter()
            .map(|(n, s, q)| (short[n].0, givers[s].0, q))
            .collect()
    } else {
        fewest_moves(&supplies, &needs)
            .into_iter()
            .map(|(s, n, q)| (short[n].0, givers[s].0, q))
            .collect()
    }
}

/// The plan for every license (see the module).
pub fn plan_shortages(licenses: &[LicenseHoldings], now: DateTime<Utc>) -> ShortagePlan {
    let mut order: Vec<&LicenseHoldings> = licenses.iter().collect();
    order.sort_by(|a, b| (&a.tag, a.license).cmp(&(&b.tag, b.license)));
    let mut plan = ShortagePlan::default();
    for license in order {
        plan_license(license, now, &mut plan);
    }
    plan
}

fn plan_license(license: &LicenseHoldings, now: DateTime<Utc>, plan: &mut ShortagePlan) {
    let mut pools: Vec<Holding> = license.holdings.clone();
    pools.sort_by_key(|h| h.pool);
    let balance = |h: &Holding| active_at(&h.lots, now) - h.in_use;
    let mut short: Vec<(usize, i64)> = (0..pools.len())
        .filter(|&i| balance(&pools[i]) < 0)
        .map(|i| (i, -balance(&pools[i])))
        .collect();
    if short.is_empty() {
        return;
    }
    short.sort_by_key(|&(i, need)| (Reverse(need), pools[i].pool));
    let mut givers: Vec<(usize, i64)> = (0..pools.len())
        .filter(|&i| balance(&pools[i]) > 0)
        .map(|i| (i, balance(&pools[i])))
        .collect();
    // Givers whose free licenses last longest first, then the largest, then by id.
    givers.sort_by_cached_key(|&(i, free)| {
        let picks =
            pick_lots_in(&pools[i].lots, free, LotOrder::LatestFirst, now).unwrap_or_default();
        let ends = picks
            .iter()
            .filter_map(|&(id, _)| pools[i].lots.iter().find(|l| l.id == id))
            .map(|l| l.ends_at)
            .min_by(|a, b| match (a, b) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .flatten();
        (ends.is_some(), Reverse(ends), Reverse(free), pools[i].pool)
    });

    // Pools expected to run short give last: the others first, as much as they can; the expecting
    // ones only what is still short after them.
    let expecting = |i: usize| license.expecting_shortage.contains(&pools[i].pool);
    let (safe, risky): (Vec<(usize, i64)>, Vec<(usize, i64)>) =
        givers.into_iter().partition(|g| !expecting(g.0));
    let wanted: i64 = short.iter().map(|s| s.1).sum();
    // (receiver, giver, quantity), by positions in `pools`.
    let mut moves = allocate(&short, &safe);
    let mut still: Vec<(usize, i64)> = short
        .iter()
        .map(|&(i, need)| {
            let got: i64 = moves.iter().filter(|m| m.0 == i).map(|m| m.2).sum();
            (i, need - got)
        })
        .filter(|&(_, need)| need > 0)
        .collect();
    if !still.is_empty() {
        still.sort_by_key(|&(i, need)| (Reverse(need), pools[i].pool));
        moves.extend(allocate(&still, &risky));
    }
    let free: i64 = safe.iter().chain(&risky).map(|g| g.1).sum();
    moves.sort_by_key(|&(to, from, _)| (pools[to].pool, pools[from].pool));

    let mut next_id = -1;
    let mut planned = Vec::with_capacity(moves.len());
    for (to, from, quantity) in moves {
        let order = choose_order(&pools[from], &pools[to], quantity, now);
        let picks = pick_lots_in(&pools[from].lots, quantity, order, now).unwrap_or_default();
        give(&mut pools, from, to, &picks, &mut next_id);
        planned.push((to, from, quantity, order));
    }
    for (to, from, quantity, order) in planned {
        plan.moves.push(PlannedMove {
            license: license.license,
            tag: license.tag.clone(),
            from: pools[from].pool,
            to: pools[to].pool,
            quantity,
            order,
            from_balance: balance(&pools[from]),
            to_balance: balance(&pools[to]),
            from_expects_shortage: license.expecting_shortage.contains(&pools[from].pool),
        });
    }
    if wanted > free {
        plan.missing.push(Shortfall {
            license: license.license,
            tag: license.tag.clone(),
            quantity: wanted - free,
        });
    }
}

/// The longest-lasting lots only where they keep the receiver compliant longer than the soonest-ending
/// would, and the giver no shorter.
fn choose_order(from: &Holding, to: &Holding, quantity: i64, now: DateTime<Utc>) -> LotOrder {
    let after = |order: LotOrder| {
        let picks = pick_lots_in(&from.lots, quantity, order, now).unwrap_or_default();
        let mut pools = vec![from.clone(), to.clone()];
        give(&mut pools, 0, 1, &picks, &mut -1);
        (
            compliant_until(&pools[0].lots, pools[0].in_use, now),
            compliant_until(&pools[1].lots, pools[1].in_use, now),
        )
    };
    let (giver_soonest, receiver_soonest) = after(LotOrder::SoonestFirst);
    let (giver_latest, receiver_latest) = after(LotOrder::LatestFirst);
    if lasts_longer(receiver_latest, receiver_soonest) && !lasts_longer(giver_soonest, giver_latest)
    {
        LotOrder::LatestFirst
    } else {
        LotOrder::SoonestFirst
    }
}

/// Moves the picked (lot, quantity) pairs from pool `from` to pool `to`, as new lots with the same
/// dates (ids from `next_id` down: a plan's lots are not in the database yet).
fn give(pools: &mut [Holding], from: usize, to: usize, picks: &[(i64, i64)], next_id: &mut i64) {
    for &(id, quantity) in picks {
        let Some(lot) = pools[from].lots.iter_mut().find(|l| l.id == id) else {
            continue;
        };
        lot.quantity -= quantity;
        let moved = LotTerm {
            id: *next_id,
            quantity,
            origin: Some(id),
            ..*lot
        };
        *next_id -= 1;
        pools[to].lots.push(moved);
    }
    pools[from].lots.retain(|l| l.quantity > 0);
}

#[cfg(test)]
mod tests;
