//! Rules of the device side: tokens' states, request limits, pooled compliance, instance status.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::protocol::{EntitlementRequest, EntitlementStatus, RegisterRequest, SYNC_INTERVAL_SECS};

/// A token's state, in the order the checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
    Exhausted,
}

impl TokenState {
    /// A token is revoked (whatever else), else expired, else exhausted, else active.
    pub fn of(
        expires_at: DateTime<Utc>,
        revoked: bool,
        uses: i32,
        max_uses: Option<i32>,
        now: DateTime<Utc>,
    ) -> TokenState {
        if revoked {
            TokenState::Revoked
        } else if now >= expires_at {
            TokenState::Expired
        } else if max_uses.is_some_and(|max| uses >= max) {
            TokenState::Exhausted
        } else {
            TokenState::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenState::Active => "Active",
            TokenState::Expired => "Expired",
            TokenState::Revoked => "Revoked",
            TokenState::Exhausted => "Exhausted",
        }
    }
}

/// A request field that is missing or out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(FieldError {
            field: field.to_owned(),
            message: format!("{field} must be 1 to {max} characters"),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError {
            field: field.to_owned(),
            message: format!("{field} must not contain control characters"),
        });
    }
    Ok(())
}

/// Checks a registration's fields (PROTOCOL.md's ranges).
pub fn check_register(req: &RegisterRequest) -> Result<(), FieldError> {
    check_len("id_token", &req.id_token, 256)?;
    check_len("udi.pid", &req.udi.pid, 64)?;
    check_len("udi.sn", &req.udi.sn, 64)?;
    check_len("hostname", &req.hostname, 253)?;
    check_len("product", &req.product, 64)?;
    if let Some(version) = &req.software_version {
        check_len("software_version", version, 64)?;
    }
    Ok(())
}

/// The most entitlements one request may carry.
pub const MAX_ENTITLEMENTS: usize = 256;
/// The largest count of one entitlement.
pub const MAX_COUNT: i64 = 1_000_000;

/// Checks an authorization request and returns its usage as tag → count.
pub fn check_entitlements(
    list: &[EntitlementRequest],
) -> Result<BTreeMap<String, i64>, FieldError> {
    if list.len() > MAX_ENTITLEMENTS {
        return Err(FieldError {
            field: "entitlements".into(),
            message: format!("at most {MAX_ENTITLEMENTS} entitlements per request"),
        });
    }
    let mut usage = BTreeMap::new();
    for (i, e) in list.iter().enumerate() {
        check_len(&format!("entitlements[{i}].tag"), &e.tag, 64)?;
        if !(1..=MAX_COUNT).contains(&e.count) {
            return Err(FieldError {
                field: format!("entitlements[{i}].count"),
                message: format!("entitlements[{i}].count must be 1 to {MAX_COUNT}"),
            });
        }
        if usage.insert(e.tag.clone(), e.count).is_some() {
            return Err(FieldError {
                field: format!("entitlements[{i}].tag"),
                message: format!("entitlements[{i}].tag: {} appears more than once", e.tag),
            });
        }
    }
    Ok(usage)
}

/// Pooled compliance of one tag: the pool's active licenses cover what all its instances use.
pub fn tag_status(active: i64, in_use: i64) -> EntitlementStatus {
    if in_use <= active {
        EntitlementStatus::Authorized
    } else {
        EntitlementStatus::OutOfCompliance
    }
}

/// What the Product Instances tab shows for an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceStatus {
    Authorized,
    OutOfCompliance,
    AuthorizationExpired,
    FailedToConnect,
}

impl InstanceStatus {
    /// Silence for longer than two sync intervals is a failure to connect; an authorization past its
    /// end is expired; else any out-of-compliance tag makes the instance out of compliance.
    pub fn of(
        last_contact_at: DateTime<Utc>,
        auth_expires_at: Option<DateTime<Utc>>,
        any_out_of_compliance: bool,
        now: DateTime<Utc>,
    ) -> InstanceStatus {
        if now - last_contact_at > Duration::seconds(2 * SYNC_INTERVAL_SECS) {
            InstanceStatus::FailedToConnect
        } else if auth_expires_at.is_some_and(|end| now >= end) {
            InstanceStatus::AuthorizationExpired
        } else if any_out_of_compliance {
            InstanceStatus::OutOfCompliance
        } else {
            InstanceStatus::Authorized
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InstanceStatus::Authorized => "Authorized",
            InstanceStatus::OutOfCompliance => "Out of Compliance",
            InstanceStatus::AuthorizationExpired => "Authorization Expired",
            InstanceStatus::FailedToConnect => "Failed to Connect",
        }
    }

    /// The name in the device API's `status` field.
    pub fn code(self) -> &'static str {
        match self {
            InstanceStatus::Authorized => "authorized",
            InstanceStatus::OutOfCompliance => "out_of_compliance",
            InstanceStatus::AuthorizationExpired => "authorization_expired",
            InstanceStatus::FailedToConnect => "failed_to_connect",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Udi;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn token_state_checks_revocation_then_expiry_then_uses() {
        assert_eq!(
            TokenState::of(t(100), false, 0, None, t(0)),
            TokenState::Active
        );
        assert_eq!(
            TokenState::of(t(100), false, 0, None, t(100)),
            TokenState::Expired
        );
        assert_eq!(
            TokenState::of(t(100), true, 9, Some(1), t(200)),
            TokenState::Revoked
        );
        assert_eq!(
            TokenState::of(t(100), false, 2, Some(2), t(0)),
            TokenState::Exhausted
        );
        assert_eq!(
            TokenState::of(t(100), false, 1, Some(2), t(0)),
            TokenState::Active
        );
    }

    #[test]
    fn registration_fields_are_bounded_and_named() {
        let mut req = RegisterRequest {
            id_token: "tok".into(),
            udi: Udi {
                pid: "ASR-9006-AC".into(),
                sn: "FOX1".into(),
            },
            hostname: "SAMDD".into(),
            product: "ASR9K".into(),
            software_version: None,
            force: false,
        };
        assert!(check_register(&req).is_ok());
        req.udi.sn = "x".repeat(65);
        assert_eq!(check_register(&req).unwrap_err().field, "udi.sn");
        req.udi.sn = "FOX1".into();
        req.hostname = String::new();
        assert_eq!(check_register(&req).unwrap_err().field, "hostname");
        req.hostname = "h".repeat(253);
        assert!(check_register(&req).is_ok());
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

    #[test]
    fn instance_status_prefers_silence_then_expiry_then_compliance() {
        let day = 86_400;
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(90 * day)), false, t(day)),
            InstanceStatus::Authorized
        );
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(90 * day)), true, t(day)),
            InstanceStatus::OutOfCompliance
        );
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(day)), true, t(day)),
            InstanceStatus::AuthorizationExpired
        );
        assert_eq!(
            InstanceStatus::of(t(0), None, false, t(2 * day + 1)),
            InstanceStatus::FailedToConnect
        );
        assert_eq!(
            InstanceStatus::of(t(0), None, false, t(2 * day)),
            InstanceStatus::Authorized
        );
    }
}
