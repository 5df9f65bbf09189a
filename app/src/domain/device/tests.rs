//! Unit tests of the device rules: registration fields, entitlements, pooled compliance, the plan.

use super::*;
use crate::protocol::Udi as WireUdi;

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn request() -> RegisterRequest {
    RegisterRequest {
        id_token: "tok".into(),
        udi: WireUdi {
            pid: "ASR-9006-AC".into(),
            sn: "FOX1".into(),
        },
        hostname: "SAMDD".into(),
        product: "ASR9K".into(),
        software_version: None,
        force: false,
    }
}

#[test]
fn registration_fields_are_bounded_and_named() {
    let field = |req: RegisterRequest| Registration::try_from(req).unwrap_err().field;
    assert!(Registration::try_from(request()).is_ok());
    let mut req = request();
    req.udi.sn = "x".repeat(65);
    assert_eq!(field(req), "udi.sn");
    let mut req = request();
    req.hostname = String::new();
    assert_eq!(field(req), "hostname");
    let mut req = request();
    req.hostname = "h".repeat(253);
    assert!(Registration::try_from(req).is_ok());
    let mut req = request();
    req.id_token = String::new();
    assert_eq!(field(req), "id_token");
    let mut req = request();
    req.software_version = Some(String::new());
    assert_eq!(field(req), "software_version");
}

#[test]
fn entitlements_are_unique_bounded_and_counted() {
    let e = |tag: &str, count| EntitlementRequest {
        tag: tag.into(),
        count,
    };
    assert_eq!(
        check_entitlements(&[e("A", 2), e("B", 1)]).unwrap().len(),
        2
    );
    assert_eq!(
        check_entitlements(&[e("A", 0)]).unwrap_err().field,
        "entitlements[0].count"
    );
    assert_eq!(
        check_entitlements(&[e("A", 1), e("A", 1)])
            .unwrap_err()
            .field,
        "entitlements[1].tag"
    );
    assert!(check_entitlements(&[e("A", MAX_COUNT)]).is_ok());
    assert!(check_entitlements(&[e("A", MAX_COUNT + 1)]).is_err());
    let many: Vec<_> = (0..257).map(|i| e(&format!("T{i}"), 1)).collect();
    assert_eq!(check_entitlements(&many).unwrap_err().field, "entitlements");
}

#[test]
fn compliance_is_pooled() {
    assert_eq!(tag_status(10, 10), EntitlementStatus::Authorized);
    assert_eq!(tag_status(10, 11), EntitlementStatus::OutOfCompliance);
    assert_eq!(tag_status(0, 1), EntitlementStatus::OutOfCompliance);
}

fn token() -> TokenFacts {
    TokenFacts {
        id: 7,
        pool: 1,
        account: 10,
        expires_at: t(1_000),
        revoked: false,
        uses: 0,
        max_uses: Some(1),
    }
}

fn udi() -> Udi {
    Udi::parse(request().udi).unwrap()
}

#[test]
fn a_registration_checks_the_token_then_the_udi_then_the_uses() {
    let plan = plan_registration(token(), None, false, &udi(), t(0)).unwrap();
    assert_eq!(
        plan,
        RegistrationPlan {
            counts_use: true,
            replaces: None,
            moves_pool: false
        }
    );
    let revoked = TokenFacts {
        revoked: true,
        ..token()
    };
    assert_eq!(
        plan_registration(revoked, None, false, &udi(), t(0)),
        Err(DeviceRefusal::TokenRevoked)
    );
    assert_eq!(
        plan_registration(token(), None, false, &udi(), t(1_000)),
        Err(DeviceRefusal::TokenExpired(t(1_000)))
    );
    let there = Registered {
        instance: 3,
        pool: 2,
        account: 10,
        token: None,
    };
    assert_eq!(
        plan_registration(token(), Some(there), false, &udi(), t(0)),
        Err(DeviceRefusal::AlreadyRegistered(
            "PID:ASR-9006-AC,SN:FOX1".into()
        ))
    );
    let used = TokenFacts { uses: 1, ..token() };
    assert_eq!(
        plan_registration(used, None, false, &udi(), t(0)),
        Err(DeviceRefusal::TokenExhausted)
    );
    let forced = plan_registration(token(), Some(there), true, &udi(), t(0)).unwrap();
    assert_eq!((forced.replaces, forced.moves_pool), (Some(there), true));
}

#[test]
fn a_forced_retry_with_the_same_token_counts_no_second_use() {
    let mine = Registered {
        instance: 3,
        pool: 1,
        account: 10,
        token: Some(7),
    };
    let used_up = TokenFacts { uses: 1, ..token() };
    let plan = plan_registration(used_up, Some(mine), true, &udi(), t(0)).unwrap();
    assert!(!plan.counts_use);
    assert!(!plan.moves_pool);
}

#[test]
fn force_never_takes_a_device_from_another_smart_account() {
    let theirs = Registered {
        instance: 3,
        pool: 9,
        account: 11,
        token: None,
    };
    for force in [false, true] {
        assert_eq!(
            plan_registration(token(), Some(theirs), force, &udi(), t(0)),
            Err(DeviceRefusal::AlreadyRegistered(
                "PID:ASR-9006-AC,SN:FOX1".into()
            )),
            "force = {force}"
        );
    }
}
