//! The shortage planner: worked cases, and properties over random pools (conservation, never below
//! use, the fewest transfers as found by brute force).

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn lot(id: i64, quantity: i64, ends_in_days: Option<i64>) -> LotTerm {
    LotTerm {
        id,
        quantity,
        starts_at: now() - Duration::days(30),
        ends_at: ends_in_days.map(|d| now() + Duration::days(d)),
        origin: None,
    }
}

/// A pool holding `quantity` perpetual licenses (lot id = pool * 10) and using `in_use`.
fn pool(id: i64, quantity: i64, in_use: i64) -> Holding {
    Holding {
        pool: id,
        in_use,
        lots: if quantity > 0 {
            vec![lot(id * 10, quantity, None)]
        } else {
            vec![]
        },
    }
}

fn license(holdings: Vec<Holding>) -> LicenseHoldings {
    LicenseHoldings {
        license: 7,
        tag: "A9K-100G-LIC".into(),
        holdings,
        expecting_shortage: Default::default(),
    }
}

#[test]
fn pools_expecting_a_shortage_give_only_when_the_others_cannot() {
    // Pool 1 is short of 3; pools 2 and 3 have 5 each to spare, but 2 expects to run short.
    let holdings = vec![pool(1, 0, 3), pool(2, 5, 0), pool(3, 5, 0)];
    let mut l = license(holdings.clone());
    l.expecting_shortage.insert(2);
    let plan = plan_shortages(&[l.clone()], now());
    assert_eq!(moves(&plan), [(3, 1, 3)]);
    assert!(!plan.moves[0].from_expects_shortage);
    // Without its forecast, pool 2 (the lower id, same terms) would have given.
    assert_eq!(
        moves(&plan_shortages(&[license(holdings)], now())),
        [(2, 1, 3)]
    );
    // When the others cannot cover it, the expecting pool gives too, and the plan says so.
    let mut tight = license(vec![pool(1, 0, 7), pool(2, 5, 0), pool(3, 5, 0)]);
    tight.expecting_shortage.insert(2);
    let plan = plan_shortages(&[tight], now());
    assert_eq!(plan.moves.iter().map(|m| m.quantity).sum::<i64>(), 7);
    assert!(plan
        .moves
        .iter()
        .any(|m| m.from == 2 && m.from_expects_shortage));
    assert!(plan
        .moves
        .iter()
        .any(|m| m.from == 3 && !m.from_expects_shortage));
}

fn moves(plan: &ShortagePlan) -> Vec<(i64, i64, i64)> {
    plan.moves
        .iter()
        .map(|m| (m.from, m.to, m.quantity))
        .collect()
}

#[test]
fn one_giver_that_covers_the_shortage_alone_is_chosen_over_two() {
    // Pool 1 is 5 short; pool 2 has 3 spare, pool 3 has 6, pool 4 has 4.
    let plan = plan_shortages(
        &[license(vec![
            pool(1, 10, 15),
            pool(2, 3, 0),
            pool(3, 16, 10),
            pool(4, 4, 0),
        ])],
        now(),
    );
    assert_eq!(moves(&plan), vec![(3, 1, 5)]);
    assert_eq!(
        (plan.moves[0].from_balance, plan.moves[0].to_balance),
        (1, 0)
    );
    assert!(plan.missing.is_empty());
}

#[test]
fn two_shortages_are_matched_so_that_nothing_is_split() {
    // Needs 4 and 3; spares 3 and 4: two transfers (a greedy largest-first would split too).
    let plan = plan_shortages(
        &[license(vec![
            pool(1, 0, 4),
            pool(2, 0, 3),
            pool(3, 3, 0),
            pool(4, 4, 0),
        ])],
        now(),
    );
    assert_eq!(moves(&plan), vec![(4, 1, 4), (3, 2, 3)]);
}

#[test]
fn what_no_pool_can_give_is_to_buy_and_every_free_license_moves() {
    let plan = plan_shortages(&[license(vec![pool(1, 2, 9), pool(2, 5, 1)])], now());
    assert_eq!(moves(&plan), vec![(2, 1, 4)]);
    assert_eq!(
        plan.moves[0].from_balance, 0,
        "the giver keeps what it uses"
    );
    assert_eq!(plan.moves[0].to_balance, -3);
    assert_eq!(
        plan.missing,
        vec![Shortfall {
            license: 7,
            tag: "A9K-100G-LIC".into(),
            quantity: 3
        }]
    );
}

#[test]
fn no_shortage_no_plan() {
    assert!(plan_shortages(&[license(vec![pool(1, 2, 2), pool(2, 5, 1)])], now()).is_empty());
}

#[test]
fn a_receiver_gets_lasting_licenses_only_where_the_giver_stays_compliant_as_long() {
    // The giver holds 4 perpetual and 4 ending in 10 days and uses 4: soonest first hands the
    // receiver licenses that end in 10 days; the longest-lasting would leave the giver 2 perpetual
    // for its 4 in use once the others end, short in 10 days: soonest first stays.
    let giver = Holding {
        pool: 2,
        in_use: 4,
        lots: vec![lot(20, 4, None), lot(21, 4, Some(10))],
    };
    let plan = plan_shortages(&[license(vec![pool(1, 0, 2), giver.clone()])], now());
    assert_eq!(plan.moves[0].order, LotOrder::SoonestFirst);

    // Using 2, the giver keeps 2 perpetual for them either way: the receiver gets perpetual ones.
    let lighter = Holding { in_use: 2, ..giver };
    let plan = plan_shortages(&[license(vec![pool(1, 0, 2), lighter])], now());
    assert_eq!(plan.moves[0].order, LotOrder::LatestFirst);
}

#[test]
fn givers_whose_free_licenses_last_longest_come_first() {
    let ending = Holding {
        pool: 2,
        in_use: 0,
        lots: vec![lot(20, 5, Some(20))],
    };
    let lasting = pool(3, 5, 0);
    let plan = plan_shortages(&[license(vec![pool(1, 0, 3), ending, lasting])], now());
    assert_eq!(moves(&plan), vec![(3, 1, 3)]);
}

#[test]
fn compliance_ends_when_a_lot_ends_below_use() {
    let lots = vec![lot(1, 2, Some(5)), lot(2, 3, None)];
    assert_eq!(compliant_until(&lots, 3, now()), None);
    assert_eq!(
        compliant_until(&lots, 4, now()),
        Some(now() + Duration::days(5))
    );
    assert_eq!(compliant_until(&lots, 6, now()), Some(now()));
}

/// The fewest transfers that deliver min(free, wanted) between givers and receivers, by trying every
/// matrix of quantities.
fn brute_force(needs: &[i64], spares: &[i64]) -> usize {
    let target = needs.iter().sum::<i64>().min(spares.iter().sum());
    let cells: Vec<(usize, usize)> = (0..needs.len())
        .flat_map(|i| (0..spares.len()).map(move |j| (i, j)))
        .collect();
    #[allow(clippy::too_many_arguments)]
    fn walk(
        cells: &[(usize, usize)],
        at: usize,
        need: &mut Vec<i64>,
        spare: &mut Vec<i64>,
        moved: i64,
        count: usize,
        target: i64,
        best: &mut usize,
    ) {
        let reachable = need.iter().sum::<i64>().min(spare.iter().sum());
        if count >= *best || moved + reachable < target {
            return;
        }
        if at == cells.len() {
            if moved == target {
                *best = count;
            }
            return;
        }
        let (i, j) = cells[at];
        for q in 0..=need[i].min(spare[j]) {
            need[i] -= q;
            spare[j] -= q;
            walk(
                cells,
                at + 1,
                need,
                spare,
                moved + q,
                count + usize::from(q > 0),
                target,
                best,
            );
            need[i] += q;
            spare[j] += q;
        }
    }
    let mut best = usize::MAX;
    walk(
        &cells,
        0,
        &mut needs.to_vec(),
        &mut spares.to_vec(),
        0,
        0,
        target,
        &mut best,
    );
    best
}

/// Pools of one license: quantity (perpetual or ending within 40 days) and use.
fn holdings() -> impl Strategy<Value = Vec<Holding>> {
    proptest::collection::vec(
        (0i64..6, proptest::option::of(1i64..40), 0i64..7, 0i64..3),
        1..7,
    )
    .prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (quantity, ends, in_use, perpetual))| {
                let pool = i as i64 + 1;
                let mut lots = vec![lot(pool * 10, quantity, ends)];
                if perpetual > 0 {
                    lots.push(lot(pool * 10 + 1, perpetual, None));
                }
                lots.retain(|l| l.quantity > 0);
                Holding { pool, in_use, lots }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Totals are kept, no giver goes below what it uses, every shortage is cleared or reported as
    /// missing, and the plan has as few transfers as brute force finds.
    #[test]
    fn plans_conserve_never_go_below_use_and_are_fewest(pools in holdings()) {
        let lic = license(pools.clone());
        let plan = plan_shortages(std::slice::from_ref(&lic), now());
        let mut state = pools.clone();
        let mut next = -1;
        for m in &plan.moves {
            let from = state.iter().position(|h| h.pool == m.from).unwrap();
            let to = state.iter().position(|h| h.pool == m.to).unwrap();
            prop_assert!(m.quantity > 0);
            let picks = pick_lots_in(&state[from].lots, m.quantity, m.order, now()).unwrap();
            give(&mut state, from, to, &picks, &mut next);
        }
        let total = |pools: &[Holding]| pools.iter().map(|h| active_at(&h.lots, now())).sum::<i64>();
        prop_assert_eq!(total(&state), total(&pools));

        let balance = |h: &Holding| active_at(&h.lots, now()) - h.in_use;
        let (mut wanted, mut free) = (0, 0);
        let (mut needs, mut spares) = (vec![], vec![]);
        for (before, after) in pools.iter().zip(&state) {
            let (b, a) = (balance(before), balance(after));
            if b >= 0 {
                prop_assert!(a >= 0, "pool {} went below use", before.pool);
                prop_assert!(a <= b, "a giver received");
                free += b;
                if b > 0 { spares.push(b); }
            } else {
                prop_assert!(a <= 0 && a >= b, "pool {} was over-served or taken from", before.pool);
                wanted -= b;
                needs.push(-b);
            }
        }
        let still_short: i64 = state.iter().map(|h| (-balance(h)).max(0)).sum();
        let missing: i64 = plan.missing.iter().map(|m| m.quantity).sum();
        prop_assert_eq!(still_short, missing);
        prop_assert_eq!(missing, (wanted - free).max(0));
        let moved: i64 = plan.moves.iter().map(|m| m.quantity).sum();
        prop_assert_eq!(moved, wanted.min(free), "no more is moved than the shortages need");
        prop_assert_eq!(plan.moves.len(), if needs.is_empty() || spares.is_empty() { 0 } else { brute_force(&needs, &spares) });
    }

    /// Needs met exactly, supplies never overdrawn, as few triples as brute force finds.
    #[test]
    fn fewest_moves_is_fewest(needs in proptest::collection::vec(1i64..6, 1..4),
                              spares in proptest::collection::vec(1i64..6, 1..4)) {
        prop_assume!(spares.iter().sum::<i64>() >= needs.iter().sum::<i64>());
        let moves = fewest_moves(&needs, &spares);
        let mut got = vec![0; needs.len()];
        let mut given = vec![0; spares.len()];
        for &(i, j, q) in &moves {
            prop_assert!(q > 0);
            got[i] += q;
            given[j] += q;
        }
        prop_assert_eq!(&got, &needs);
        prop_assert!(given.iter().zip(&spares).all(|(g, s)| g <= s));
        prop_assert_eq!(moves.len(), brute_force(&needs, &spares));
    }
}

#[test]
fn past_the_exact_limit_best_fit_still_meets_every_need() {
    let needs: Vec<i64> = (1..=9).collect();
    let spares: Vec<i64> = vec![10; 8];
    let moves = fewest_moves(&needs, &spares);
    let mut got = vec![0; needs.len()];
    for &(i, _, q) in &moves {
        got[i] += q;
    }
    assert_eq!(got, needs);
}
