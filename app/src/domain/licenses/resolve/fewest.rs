//! The fewest transfers that meet a set of needs from a set of supplies.
//!
//! Why it is a partition: the transfers of a plan form a graph of givers and receivers; in a plan with
//! the fewest transfers every connected part is a tree, so a part of `g` needs and `e` supplies costs
//! `g + e − 1` transfers, and it can serve its needs exactly when its supplies add up to them. The
//! fewest transfers in all are therefore `needs + Σ (supplies of a part − 1)`: the search groups the
//! needs and gives each group the fewest supplies that cover it (a subset search, exact up to
//! `EXACT_LIMIT` on each side), then fills each group giver by giver (each transfer empties a giver or
//! meets a need, so a group takes no more than `g + e − 1`). Past the limit it falls back to best fit:
//! each need from the smallest supply that covers it alone, else from the largest ones.

use std::collections::HashMap;

/// Up to this many needs and this many supplies the plan is the proven fewest.
pub const EXACT_LIMIT: usize = 6;

/// Meets every `need[i]` exactly from `supply` (supply `j` gives at most `supply[j]`); the caller makes
/// sure the supplies cover the needs. Returns (need index, supply index, quantity) triples, as few as
/// can be (see the module), lower supply indices preferred where the count ties.
pub fn fewest_moves(need: &[i64], supply: &[i64]) -> Vec<(usize, usize, i64)> {
    debug_assert!(supply.iter().sum::<i64>() >= need.iter().sum::<i64>());
    let need_idx: Vec<usize> = (0..need.len()).filter(|&i| need[i] > 0).collect();
    let supply_idx: Vec<usize> = (0..supply.len()).filter(|&j| supply[j] > 0).collect();
    if need_idx.len() <= EXACT_LIMIT && supply_idx.len() <= EXACT_LIMIT {
        let needs: Vec<i64> = need_idx.iter().map(|&i| need[i]).collect();
        let supplies: Vec<i64> = supply_idx.iter().map(|&j| supply[j]).collect();
        let mut search = Search {
            need: &needs,
            supply: &supplies,
            memo: HashMap::new(),
        };
        let all_needs = (1u32 << needs.len()) - 1;
        let all_supplies = (1u32 << supplies.len()) - 1;
        if search.best(all_needs, all_supplies).is_some() {
            let mut moves = Vec::new();
            let (mut nm, mut sm) = (all_needs, all_supplies);
            while nm != 0 {
                let Some(&(_, group, givers)) = search.memo.get(&(nm, sm)) else {
                    break;
                };
                fill(&needs, &supplies, group, givers, &mut moves);
                nm &= !group;
                sm &= !givers;
            }
            return moves
                .into_iter()
                .map(|(i, j, q)| (need_idx[i], supply_idx[j], q))
                .collect();
        }
    }
    best_fit(need, supply)
}

struct Search<'a> {
    need: &'a [i64],
    supply: &'a [i64],
    /// (needs left, supplies left) → (extra transfers, the group of the lowest need left, its givers);
    /// extra is None where the supplies left cannot cover the needs left.
    memo: HashMap<(u32, u32), (Option<u32>, u32, u32)>,
}

fn sum(values: &[i64], mask: u32) -> i64 {
    values
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, v)| v)
        .sum()
}

impl Search<'_> {
    /// The fewest transfers beyond one per need that serve the needs of `nm` from the supplies of `sm`.
    fn best(&mut self, nm: u32, sm: u32) -> Option<u32> {
        if nm == 0 {
            return Some(0);
        }
        if let Some(&(extra, _, _)) = self.memo.get(&(nm, sm)) {
            return extra;
        }
        if sum(self.need, nm) > sum(self.supply, sm) {
            self.memo.insert((nm, sm), (None, 0, 0));
            return None;
        }
        let lowest = nm & nm.wrapping_neg();
        let others = nm & !lowest;
        // (extra, givers, group): fewer extra first, then the givers of lower index.
        let mut best: Option<(u32, u32, u32)> = None;
        let mut with = others;
        loop {
            let group = with | lowest;
            let wanted = sum(self.need, group);
            let mut givers = sm;
            while givers != 0 {
                let extra = givers.count_ones() - 1;
                let worth = best.is_none_or(|(b, g, _)| (extra, givers) < (b, g));
                if worth && sum(self.supply, givers) >= wanted {
                    if let Some(rest) = self.best(nm & !group, sm & !givers) {
                        let candidate = (extra + rest, givers, group);
                        if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                            best = Some(candidate);
                        }
                    }
                }
                givers = (givers - 1) & sm;
            }
            if with == 0 {
                break;
            }
            with = (with - 1) & others;
        }
        let answer = best.map(|(extra, givers, group)| (Some(extra), group, givers));
        self.memo.insert((nm, sm), answer.unwrap_or((None, 0, 0)));
        best.map(|b| b.0)
    }
}

/// Serves the needs of `group` from the supplies of `givers`, in index order, giver by giver.
fn fill(
    need: &[i64],
    supply: &[i64],
    group: u32,
    givers: u32,
    moves: &mut Vec<(usize, usize, i64)>,
) {
    let mut left: Vec<(usize, i64)> = (0..supply.len())
        .filter(|j| givers & (1 << j) != 0)
        .map(|j| (j, supply[j]))
        .collect();
    let mut at = 0;
    for i in (0..need.len()).filter(|i| group & (1 << i) != 0) {
        let mut wanted = need[i];
        while wanted > 0 && at < left.len() {
            let take = wanted.min(left[at].1);
            if take > 0 {
                moves.push((i, left[at].0, take));
                wanted -= take;
                left[at].1 -= take;
            }
            if left[at].1 == 0 {
                at += 1;
            }
        }
    }
}

/// Past the exact limit: each need (in the given order) from the smallest supply that covers it alone,
/// else from the largest supplies left until it is met.
fn best_fit(need: &[i64], supply: &[i64]) -> Vec<(usize, usize, i64)> {
    let mut left = supply.to_vec();
    let mut moves = Vec::new();
    for (i, &wanted) in need.iter().enumerate() {
        if wanted <= 0 {
            continue;
        }
        let alone = (0..left.len())
            .filter(|&j| left[j] >= wanted)
            .min_by_key(|&j| (left[j], j));
        if let Some(j) = alone {
            moves.push((i, j, wanted));
            left[j] -= wanted;
            continue;
        }
        let mut wanted = wanted;
        let mut order: Vec<usize> = (0..left.len()).filter(|&j| left[j] > 0).collect();
        order.sort_by_key(|&j| (std::cmp::Reverse(left[j]), j));
        for j in order {
            if wanted == 0 {
                break;
            }
            let take = wanted.min(left[j]);
            moves.push((i, j, take));
            left[j] -= take;
            wanted -= take;
        }
    }
    moves
}
