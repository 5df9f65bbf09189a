//! Unit tests of the alert rules: thresholds, severities, due dates and order.

use super::*;
use crate::domain::device::InstanceStatus;

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

const DAY: i64 = 86_400;

fn pool() -> PoolName {
    PoolName {
        id: 7,
        name: "West".into(),
    }
}

fn license() -> AlertSource {
    AlertSource::License {
        license_id: Some(3),
        tag: "A9K-100G-LIC".into(),
        name: "ASR 9000 100GE port license".into(),
    }
}

#[test]
fn the_notice_is_the_nearest_threshold_reached() {
    let now = t(0);
    let notice = |secs: i64| expiry_notice(t(secs), now);
    assert_eq!(notice(91 * DAY), None, "beyond 90 days");
    assert_eq!(
        notice(90 * DAY + 1),
        None,
        "90 days and a second rounds up to 91"
    );
    assert_eq!(notice(90 * DAY), Some(90));
    assert_eq!(notice(61 * DAY), Some(90));
    assert_eq!(notice(60 * DAY), Some(60));
    assert_eq!(notice(45 * DAY), Some(60));
    assert_eq!(notice(30 * DAY), Some(30));
    assert_eq!(notice(15 * DAY), Some(30));
    assert_eq!(notice(14 * DAY), Some(14));
    assert_eq!(notice(8 * DAY), Some(14));
    assert_eq!(notice(7 * DAY), Some(7));
    assert_eq!(notice(4 * DAY), Some(7));
    assert_eq!(notice(3 * DAY), Some(3));
    assert_eq!(notice(2 * DAY), Some(3));
    assert_eq!(notice(DAY), Some(1));
    assert_eq!(notice(1), Some(1), "one second left is the last day");
    assert_eq!(notice(0), None, "ended: expired, not expiring");
    assert_eq!(notice(-DAY), None);
}

#[test]
fn every_threshold_is_reached_exactly_on_its_day() {
    for days in EXPIRY_NOTICE_DAYS {
        assert_eq!(expiry_notice(t(days * DAY), t(0)), Some(days));
    }
}

#[test]
fn expiring_severity_rises_as_the_end_nears() {
    let severities: Vec<Severity> = EXPIRY_NOTICE_DAYS
        .into_iter()
        .map(expiring_severity)
        .collect();
    use Severity::*;
    assert_eq!(
        severities,
        [
            Informational,
            Informational,
            Minor,
            Minor,
            Major,
            Major,
            Major
        ]
    );
}

#[test]
fn severities_order_major_first_and_round_trip() {
    assert!(Severity::Major < Severity::Minor);
    assert!(Severity::Minor < Severity::Informational);
    for s in Severity::ALL {
        assert_eq!(Severity::parse(s.as_str()), Some(s));
    }
    assert_eq!(Severity::parse("critical"), None);
    assert_eq!(Severity::parse(""), None);
}

#[test]
fn a_shortage_is_major_and_due_now() {
    let now = t(0);
    assert_eq!(insufficient(&pool(), license(), 12, 12, now), None);
    let a = insufficient(&pool(), license(), 12, 15, now).unwrap();
    assert_eq!(
        (a.kind, a.severity, a.due, a.due_text.as_str()),
        (AlertKind::InsufficientLicenses, Severity::Major, now, "Now")
    );
    assert!(a.message.contains("3 short"), "{}", a.message);
    assert_eq!((a.pool_id, a.pool.as_str()), (7, "West"));
}

#[test]
fn expiring_alerts_carry_the_end_as_due_date() {
    let now = t(0);
    let a = expiring(&pool(), license(), t(20 * DAY), now).unwrap();
    assert_eq!(
        (a.kind, a.severity, a.due),
        (AlertKind::LicensesExpiring, Severity::Minor, t(20 * DAY))
    );
    assert!(
        a.message.contains("in 20 days; 30-day notice"),
        "{}",
        a.message
    );
    assert_eq!(expiring(&pool(), license(), t(100 * DAY), now), None);
    let soon = expiring(&pool(), license(), t(DAY), now).unwrap();
    assert_eq!(soon.severity, Severity::Major);
    assert!(soon.message.contains("in 1 day;"), "{}", soon.message);
}

#[test]
fn expired_licenses_are_overdue_since_their_last_end() {
    let a = expired(&pool(), license(), t(-15 * DAY), t(0));
    assert_eq!((a.severity, a.due), (Severity::Minor, t(-15 * DAY)));
    assert!(a.due_text.starts_with("Overdue since "), "{}", a.due_text);
}

#[test]
fn failed_to_connect_agrees_with_the_instance_status() {
    let now = t(10 * DAY);
    let cutoff = now - Duration::seconds(CONNECT_GRACE_SECS);
    // One second older than the cutoff is silent for the status too; the cutoff itself is not.
    assert_eq!(
        InstanceStatus::of(cutoff - Duration::seconds(1), None, false, now),
        InstanceStatus::FailedToConnect
    );
    assert_eq!(
        InstanceStatus::of(cutoff, None, false, now),
        InstanceStatus::Authorized
    );
    assert_eq!(silent_after(cutoff), now, "the column says the same");
    assert_eq!(
        InstanceStatus::from_silence(silent_after(cutoff), None, false, now),
        InstanceStatus::Authorized
    );
    assert_eq!(CONNECT_GRACE_SECS, 48 * 3600);
}

#[test]
fn one_instance_is_named_and_several_are_counted() {
    let now = t(10 * DAY);
    let mut group = InstanceGroup {
        count: 1,
        first_id: 42,
        first_hostname: "sfo-bng-01".into(),
        earliest: t(5 * DAY),
    };
    let one = failed_to_connect(&pool(), &group, now);
    assert_eq!(
        one.source,
        AlertSource::Instance {
            id: 42,
            hostname: "sfo-bng-01".into()
        }
    );
    // `earliest` is when the first went silent (its `silent_after`): due from then.
    assert_eq!(one.due, t(5 * DAY), "due when the silence became a failure");
    assert_eq!(one.severity, Severity::Minor);
    group.count = 4;
    let many = failed_to_renew(&pool(), &group, now);
    assert_eq!(
        many.source,
        AlertSource::Instances {
            count: 4,
            example: "sfo-bng-01".into()
        }
    );
    assert_eq!((many.severity, many.due), (Severity::Major, t(5 * DAY)));
    assert!(many
        .message
        .starts_with("4 product instances (such as sfo-bng-01)"));
}

#[test]
fn tokens_warn_within_seven_days_only_while_live() {
    let now = t(0);
    assert!(token_expiring(t(3 * DAY), now));
    assert!(token_expiring(t(7 * DAY), now));
    assert!(!token_expiring(t(7 * DAY + 1), now));
    assert!(!token_expiring(t(0), now), "expired already");
    let source = AlertSource::Token {
        id: 1,
        token: "idt_ABCD…WXYZ".into(),
        description: "lab".into(),
    };
    let a = token(&pool(), source, t(3 * DAY), now).unwrap();
    assert_eq!(
        (a.kind, a.severity, a.due),
        (
            AlertKind::TokenExpiring,
            Severity::Informational,
            t(3 * DAY)
        )
    );
}

#[test]
fn alerts_sort_by_severity_then_due_date() {
    let now = t(0);
    let group = InstanceGroup {
        count: 2,
        first_id: 1,
        first_hostname: "a".into(),
        earliest: t(-5 * DAY),
    };
    let mut alerts = vec![
        expiring(&pool(), license(), t(80 * DAY), now).unwrap(),
        expiring(&pool(), license(), t(2 * DAY), now).unwrap(),
        failed_to_connect(&pool(), &group, now),
        insufficient(&pool(), license(), 1, 2, now).unwrap(),
        failed_to_renew(&pool(), &group, now),
        expiring(&pool(), license(), t(20 * DAY), now).unwrap(),
    ];
    sort(&mut alerts);
    let order: Vec<(Severity, AlertKind, DateTime<Utc>)> =
        alerts.iter().map(|a| (a.severity, a.kind, a.due)).collect();
    use AlertKind::*;
    use Severity::*;
    assert_eq!(
        order,
        [
            (Major, InstanceFailedToRenew, t(-5 * DAY)),
            (Major, InsufficientLicenses, now),
            (Major, LicensesExpiring, t(2 * DAY)),
            (Minor, InstanceFailedToConnect, t(-5 * DAY)),
            (Minor, LicensesExpiring, t(20 * DAY)),
            (Informational, LicensesExpiring, t(80 * DAY)),
        ]
    );
}
