//! Kinds of audit events. Stored by their stable name; shown by their label.

use serde::{Deserialize, Serialize};

/// One kind of event in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    PoolCreated,
    PoolRenamed,
    PoolDescribed,
    PoolMadeDefault,
    PoolDeleted,
    LicenseProvisioned,
    UserAdded,
    LicensesTransferred,
    TokenCreated,
    TokenRevoked,
    TokenDeleted,
    InstanceRegistered,
    InstanceDeregistered,
    InstanceRemoved,
    InstanceTransferred,
    InstanceOutOfCompliance,
}

impl EventKind {
    pub const ALL: [EventKind; 16] = [
        EventKind::PoolCreated,
        EventKind::PoolRenamed,
        EventKind::PoolDescribed,
        EventKind::PoolMadeDefault,
        EventKind::PoolDeleted,
        EventKind::LicenseProvisioned,
        EventKind::UserAdded,
        EventKind::LicensesTransferred,
        EventKind::TokenCreated,
        EventKind::TokenRevoked,
        EventKind::TokenDeleted,
        EventKind::InstanceRegistered,
        EventKind::InstanceDeregistered,
        EventKind::InstanceRemoved,
        EventKind::InstanceTransferred,
        EventKind::InstanceOutOfCompliance,
    ];

    /// The stable name stored in the database and used in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PoolCreated => "virtual_account.created",
            EventKind::PoolRenamed => "virtual_account.renamed",
            EventKind::PoolDescribed => "virtual_account.described",
            EventKind::PoolMadeDefault => "virtual_account.default",
            EventKind::PoolDeleted => "virtual_account.deleted",
            EventKind::LicenseProvisioned => "license.provisioned",
            EventKind::UserAdded => "user.added",
            EventKind::LicensesTransferred => "license.transferred",
            EventKind::TokenCreated => "token.created",
            EventKind::TokenRevoked => "token.revoked",
            EventKind::TokenDeleted => "token.deleted",
            EventKind::InstanceRegistered => "instance.registered",
            EventKind::InstanceDeregistered => "instance.deregistered",
            EventKind::InstanceRemoved => "instance.removed",
            EventKind::InstanceTransferred => "instance.transferred",
            EventKind::InstanceOutOfCompliance => "instance.out_of_compliance",
        }
    }

    /// What the Event Log shows.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::PoolCreated => "Virtual account created",
            EventKind::PoolRenamed => "Virtual account renamed",
            EventKind::PoolDescribed => "Description changed",
            EventKind::PoolMadeDefault => "Default virtual account set",
            EventKind::PoolDeleted => "Virtual account deleted",
            EventKind::LicenseProvisioned => "Licenses provisioned",
            EventKind::UserAdded => "User added",
            EventKind::LicensesTransferred => "Licenses transferred",
            EventKind::TokenCreated => "Token created",
            EventKind::TokenRevoked => "Token revoked",
            EventKind::TokenDeleted => "Token deleted",
            EventKind::InstanceRegistered => "Product instance registered",
            EventKind::InstanceDeregistered => "Product instance deregistered",
            EventKind::InstanceRemoved => "Product instance removed",
            EventKind::InstanceTransferred => "Product instance transferred",
            EventKind::InstanceOutOfCompliance => "Out of compliance",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_have_distinct_names() {
        let mut names: Vec<_> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len());
    }
}
