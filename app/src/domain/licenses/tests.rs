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
    assert_eq!(parse_quantity(" 2 "), Ok(2));
    for bad in ["", "0", "-1", "1.5", "two", "1000000001"] {
        assert_eq!(
            parse_quantity(bad),
            Err(TransferError::BadQuantity),
            "{bad:?}"
        );
    }
}

#[test]
fn transfer_errors_name_their_field() {
    let e: AppError = TransferError::TooMany { most: 16 }.into();
    assert_eq!(e, AppError::validation("quantity", "At most 16 can move."));
    assert!(AppError::from(TransferError::SameAccount)
        .for_field("target")
        .is_some());
    assert!(TransferError::TooMany { most: 0 }
        .to_string()
        .starts_with("At most 0 can move"));
}
