use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
}

fn reg(secs: i64, pid: &str, ip: &str) -> Registration {
    Registration {
        at: t(secs),
        pid: pid.to_owned(),
        source: ip.parse().ok(),
    }
}

#[test]
fn eleven_registrations_in_a_minute_are_a_burst_ten_are_not() {
    let ten: Vec<_> = (0..10).map(|i| reg(i * 6, "ISR4451-X", "")).collect();
    assert!(flags(&ten, &Baseline::default()).iter().all(Vec::is_empty));
    let mut eleven = ten.clone();
    eleven.push(reg(60, "ISR4451-X", ""));
    // A slow one a day later is not part of it.
    eleven.push(reg(86_400, "ISR4451-X", ""));
    let got = flags(&eleven, &Baseline::default());
    assert!(got[..11].iter().all(|f| f == &[MisuseFlag::Burst]));
    assert!(got[11].is_empty());
}

#[test]
fn a_product_or_range_the_pool_never_had_is_flagged_once_the_pool_has_history() {
    let mut baseline = Baseline::default();
    baseline.see("ISR4451-X", "192.0.2.7".parse().ok(), t(0));
    let got = flags(
        &[
            reg(100, "ISR4451-X", "192.0.2.200"),
            reg(100, "C8300-1N1S", "192.0.2.201"),
            reg(100, "ISR4451-X", "198.51.100.9"),
            reg(100, "ISR4451-X", ""),
            // Before the pool had anything: nothing to compare with.
            reg(-5, "C8300-1N1S", "203.0.113.1"),
        ],
        &baseline,
    );
    assert_eq!(
        got,
        vec![
            vec![],
            vec![MisuseFlag::NewProduct],
            vec![MisuseFlag::NewAddressRange],
            vec![],
            vec![],
        ]
    );
    // An empty pool flags nothing as new.
    assert!(flags(&[reg(1, "X", "10.0.0.1")], &Baseline::default())[0].is_empty());
}

#[test]
fn ranges_are_slash_24_and_slash_48() {
    assert_eq!(range_of("192.0.2.77".parse().unwrap()), "192.0.2.0/24");
    assert_eq!(
        range_of("::ffff:192.0.2.77".parse().unwrap()),
        "192.0.2.0/24"
    );
    assert_eq!(
        range_of("2001:db8:abcd:12::1".parse().unwrap()),
        "2001:db8:abcd::/48"
    );
}

proptest! {
    /// The sliding window agrees with checking every window that starts at a registration.
    #[test]
    fn bursts_match_a_brute_force(secs in proptest::collection::vec(0i64..400, 0..40)) {
        let regs: Vec<_> = secs.iter().map(|&s| reg(s, "P", "")).collect();
        let got: Vec<bool> = flags(&regs, &Baseline::default())
            .into_iter()
            .map(|f| f.contains(&MisuseFlag::Burst))
            .collect();
        let want: Vec<bool> = secs
            .iter()
            .map(|&s| {
                secs.iter().any(|&w| {
                    w <= s && s <= w + 60
                        && secs.iter().filter(|&&x| w <= x && x <= w + 60).count() > BURST_PER_MINUTE
                })
            })
            .collect();
        prop_assert_eq!(got, want);
    }
}
