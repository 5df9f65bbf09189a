//! Unit tests of the license rules: lot states, balances, alert marks and lot selection.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn days(n: i64) -> DateTime<Utc> {
    now() + Duration::days(n)
}

fn lot(id: i64, quantity: i64, start: i64, end: Option<i64>) -> LotTerm {
    LotTerm {
        id,
        quantity,
        starts_at: days(start),
        ends_at: end.map(days),
        origin: None,
    }
}

#[test]
fn a_lot_counts_from_its_start_until_its_end_and_a_perpetual_one_forever() {
    assert_eq!(LotState::at(days(-10), None, now()), LotState::Active);
    assert_eq!(
        LotState::at(days(-10), None, days(100_000)),
        LotState::Active
    );
    assert_eq!(
        LotState::at(now(), Some(days(1)), now()),
        LotState::Active,
        "the start is inclusive"
    );
    assert_eq!(
        LotState::at(days(-10), Some(now()), now()),
        LotState::Expired,
        "the end is exclusive"
    );
    assert_eq!(
        LotState::at(days(1), Some(days(30)), now()),
        LotState::NotStarted
    );
    assert_eq!(
        LotState::at(days(-30), Some(days(-1)), now()),
        LotState::Expired
    );
}

#[test]
fn balance_is_active_minus_in_use_and_a_shortage_gives_nothing() {
    assert_eq!(balance(12, 15), -3);
    assert_eq!(transferable(12, 15), 0);
    assert_eq!(transferable(40, 24), 16);
    assert_eq!(check_quantity(16, 40, 24), Ok(()));
    assert_eq!(
        check_quantity(17, 40, 24),
        Err(TransferError::TooMany { most: 16 })
    );
    assert_eq!(
        check_quantity(1, 12, 15),
        Err(TransferError::TooMany { most: 0 })
    );
}

#[test]
fn standing_counts_only_active_lots_and_finds_the_nearest_end() {
    let lots = [
        (days(-400), None, 10),
        (days(-200), Some(days(20)), 5),
        (days(-100), Some(days(200)), 7),
        (days(-300), Some(days(-15)), 6),
        (days(10), Some(days(300)), 4),
    ];
    let s = Standing::of_lots(lots, 3, now());
    assert_eq!(s.purchased, 22);
    assert_eq!(s.nearest_expiry, Some(days(20)));
    assert_eq!((s.lots, s.expired_lots), (5, 1));
    assert_eq!(s.balance(), 19);
}

#[test]
fn a_shortage_beats_an_expiry() {
    let s = Standing::of_lots([(days(-10), Some(days(20)), 2)], 5, now());
    assert_eq!(
        s.alert(now()),
        Some(LicenseAlert::Insufficient { short: 3 })
    );
    assert_eq!(s.alert(now()).unwrap().label(), "Insufficient Licenses");
}

#[test]
fn an_active_term_lot_ending_within_90_days_warns_with_days_rounded_up() {
    let s = Standing::of_lots(
        [(days(-10), Some(days(20) - Duration::seconds(5)), 2)],
        0,
        now(),
    );
    assert_eq!(s.alert(now()), Some(LicenseAlert::Expiring { days: 20 }));
    assert_eq!(s.alert(now()).unwrap().label(), "Expiring in 20 days");
    let edge = Standing::of_lots([(days(-10), Some(days(90)), 2)], 0, now());
    assert_eq!(edge.alert(now()), Some(LicenseAlert::Expiring { days: 90 }));
    let later = Standing::of_lots(
        [(days(-10), Some(days(90) + Duration::seconds(1)), 2)],
        0,
        now(),
    );
    assert_eq!(later.alert(now()), None);
    let tomorrow = Standing::of_lots([(days(-10), Some(now() + Duration::hours(3)), 2)], 0, now());
    assert_eq!(tomorrow.alert(now()).unwrap().label(), "Expiring in 1 day");
}

#[test]
fn expired_only_when_every_lot_has_expired() {
    let gone = Standing::of_lots([(days(-300), Some(days(-15)), 6)], 0, now());
    assert_eq!(gone.purchased, 0);
    assert_eq!(gone.alert(now()), Some(LicenseAlert::Expired));
    let renewed = Standing::of_lots(
        [(days(-300), Some(days(-15)), 6), (days(-15), None, 6)],
        0,
        now(),
    );
    assert_eq!(
        renewed.alert(now()),
        None,
        "an expired lot beside an active one raises nothing"
    );
    let coming = Standing::of_lots(
        [(days(-300), Some(days(-15)), 6), (days(5), None, 6)],
        0,
        now(),
    );
    assert_eq!(
        coming.alert(now()),
        None,
        "a lot that has not started yet is on its way"
    );
    assert_eq!(Standing::default().alert(now()), None);
}

#[test]
fn alert_ranks_put_the_most_severe_first() {
    let ranks: Vec<u8> = [
        Some(LicenseAlert::Insufficient { short: 1 }),
        Some(LicenseAlert::Expiring { days: 3 }),
        Some(LicenseAlert::Expired),
        None,
    ]
    .into_iter()
    .map(LicenseAlert::rank)
    .collect();
    assert_eq!(ranks, [0, 1, 2, 3]);
}

#[test]
fn a_transfer_takes_the_soonest_ending_active_lots_first_and_perpetual_last() {
    let lots = [
        lot(1, 10, -400, None),
        lot(2, 5, -200, Some(200)),
        lot(3, 4, -100, Some(20)),
        lot(4, 6, -300, Some(-15)),
        lot(5, 8, 10, Some(300)),
        lot(6, 3, -50, Some(20)),
    ];
    assert_eq!(pick_lots(&lots, 2, now()), Ok(vec![(3, 2)]));
    assert_eq!(
        pick_lots(&lots, 6, now()),
        Ok(vec![(3, 4), (6, 2)]),
        "equal ends: the older lot first"
    );
    assert_eq!(
        pick_lots(&lots, 15, now()),
        Ok(vec![(3, 4), (6, 3), (2, 5), (1, 3)])
    );
    assert_eq!(
        pick_lots(&lots, 22, now()),
        Ok(vec![(3, 4), (6, 3), (2, 5), (1, 10)])
    );
    assert_eq!(
        pick_lots(&lots, 23, now()),
        Err(22),
        "expired and future lots never give"
    );
    assert_eq!(pick_lots(&[], 1, now()), Err(0));
}

#[test]
fn soonest_first_leaves_the_giver_the_most_at_every_future_moment() {
    let lots = [
        lot(1, 10, -400, None),
        lot(2, 5, -200, Some(200)),
        lot(3, 4, -100, Some(20)),
    ];
    let picks = pick_lots(&lots, 6, now()).unwrap();
    let left_at = |t: DateTime<Utc>, picks: &[(i64, i64)]| -> i64 {
        lots.iter()
            .filter(|l| LotState::at(l.starts_at, l.ends_at, t) == LotState::Active)
            .map(|l| {
                l.quantity
                    - picks
                        .iter()
                        .filter(|p| p.0 == l.id)
                        .map(|p| p.1)
                        .sum::<i64>()
            })
            .sum()
    };
    // Every other way of taking 6 (from the perpetual lot, or from lot 2 first) leaves less later.
    let others: [&[(i64, i64)]; 3] = [&[(1, 6)], &[(2, 5), (1, 1)], &[(2, 5), (3, 1)]];
    for t in [now(), days(30), days(300)] {
        for other in others {
            assert!(
                left_at(t, &picks) >= left_at(t, other),
                "at {t} against {other:?}"
            );
        }
    }
    assert_eq!(left_at(days(30), &picks), 13);
}

#[test]
fn quantities_parse_as_whole_numbers_in_range() {
    assert_eq!(Quantity::parse(" 2 ").map(Quantity::get), Ok(2));
    for bad in ["", "0", "-1", "1.5", "two", "1000000001"] {
        assert_eq!(
            Quantity::parse(bad),
            Err(TransferError::BadQuantity),
            "{bad:?}"
        );
    }
}

#[test]
fn transfer_errors_name_their_field() {
    let e = TransferError::TooMany { most: 16 };
    assert_eq!(
        (e.field(), e.to_string().as_str()),
        ("quantity", "At most 16 can move.")
    );
    assert_eq!(TransferError::SameAccount.field(), "target");
    assert!(TransferError::TooMany { most: 0 }
        .to_string()
        .starts_with("At most 0 can move"));
}

#[test]
fn a_form_parses_its_target_before_its_quantity() {
    let form = |target: &str, quantity: &str| TransferForm {
        target: target.into(),
        quantity: quantity.into(),
    };
    let ask = TransferAsk::try_from(&form(" 4 ", "3")).unwrap();
    assert_eq!((ask.target, ask.quantity.get()), (4, 3));
    assert_eq!(
        TransferAsk::try_from(&form("East", "x")),
        Err(TransferError::TargetNotAllowed)
    );
    assert_eq!(
        TransferAsk::try_from(&form("4", "0")),
        Err(TransferError::BadQuantity)
    );
}

fn from(lot: LotTerm, origin: i64) -> LotTerm {
    LotTerm {
        origin: Some(origin),
        ..lot
    }
}

#[test]
fn a_plan_joins_what_came_from_the_same_lot_and_creates_the_rest() {
    let source = [lot(1, 5, -10, Some(20)), lot(2, 10, -10, None)];
    // The target got licenses of lot 1 before; lot 9 came from elsewhere with the same dates.
    let target = [from(lot(8, 3, -10, Some(20)), 1), lot(9, 4, -10, Some(20))];
    let q = |n| Quantity::try_from(n).unwrap();
    assert_eq!(
        plan_transfer(&source, &target, q(7), 0, now()),
        Ok(vec![
            LotChange::Take {
                lot: 1,
                quantity: 5,
                left: 0
            },
            LotChange::Merge {
                into: 8,
                quantity: 5
            },
            LotChange::Take {
                lot: 2,
                quantity: 2,
                left: 8
            },
            LotChange::Create {
                origin: 2,
                quantity: 2,
                starts_at: days(-10),
                ends_at: None
            },
        ])
    );
    // Same origin but other dates (a lot split and renewed since) is another lot.
    let moved = [from(lot(8, 3, -10, Some(30)), 1)];
    assert!(matches!(
        plan_transfer(&source, &moved, q(1), 0, now()).unwrap()[1],
        LotChange::Create { origin: 1, .. }
    ));
}

#[test]
fn a_plan_never_moves_licenses_in_use() {
    let source = [lot(1, 10, -1, None)];
    let q = |n| Quantity::try_from(n).unwrap();
    assert_eq!(
        plan_transfer(&source, &[], q(4), 7, now()),
        Err(TransferError::TooMany { most: 3 })
    );
    assert_eq!(
        plan_transfer(&source, &[], q(1), 11, now()),
        Err(TransferError::TooMany { most: 0 })
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn lots() -> impl Strategy<Value = Vec<LotTerm>> {
        proptest::collection::vec(
            (1i64..50, -30i64..30, proptest::option::of(-20i64..60)),
            0..6,
        )
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(i, (q, start, end))| {
                    let end = end.map(|e| e.max(start + 1));
                    lot(i as i64 + 1, q, start, end)
                })
                .collect()
        })
    }

    proptest! {
        /// Whatever the lots, a plan moves exactly the quantity, takes only from active lots and never
        /// more than a lot holds, gives to the target what it takes, and leaves the source at least
        /// what it uses.
        #[test]
        fn plans_conserve_licenses(source in lots(), n in 1i64..200, in_use in 0i64..100) {
            let q = Quantity::try_from(n).unwrap();
            let active = Standing::of_lots(
                source.iter().map(|l| (l.starts_at, l.ends_at, l.quantity)), 0, now()).purchased;
            match plan_transfer(&source, &[], q, in_use, now()) {
                Ok(changes) => {
                    let (mut taken, mut given) = (0, 0);
                    for change in changes {
                        match change {
                            LotChange::Take { lot, quantity, left } => {
                                let l = source.iter().find(|s| s.id == lot).unwrap();
                                prop_assert_eq!(LotState::at(l.starts_at, l.ends_at, now()), LotState::Active);
                                prop_assert!(quantity > 0 && left >= 0 && quantity + left == l.quantity);
                                taken += quantity;
                            }
                            LotChange::Create { origin, quantity, starts_at, ends_at } => {
                                let l = source.iter().find(|s| s.id == origin).unwrap();
                                prop_assert_eq!((starts_at, ends_at), (l.starts_at, l.ends_at));
                                given += quantity;
                            }
                            LotChange::Merge { .. } => prop_assert!(false, "no target lots to join"),
                        }
                    }
                    prop_assert_eq!(taken, n);
                    prop_assert_eq!(given, n);
                    prop_assert!(active - n >= in_use);
                }
                Err(TransferError::TooMany { most }) => {
                    prop_assert_eq!(most, transferable(active, in_use));
                    prop_assert!(n > most);
                }
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
