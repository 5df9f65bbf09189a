//! Kinds of audit events. Stored, sent and filtered by their stable name; shown by their label.

use serde::{Deserialize, Serialize};

/// One kind of event in the audit log. Its stable name (`as_str`) is its value in the database
/// (`events.kind`), on the wire and in the Event Log's `?kind=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum EventKind {
    #[serde(rename = "virtual_account.created")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "virtual_account.created"))]
    PoolCreated,
    #[serde(rename = "virtual_account.renamed")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "virtual_account.renamed"))]
    PoolRenamed,
    #[serde(rename = "virtual_account.described")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "virtual_account.described"))]
    PoolDescribed,
    #[serde(rename = "virtual_account.default")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "virtual_account.default"))]
    PoolMadeDefault,
    #[serde(rename = "virtual_account.deleted")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "virtual_account.deleted"))]
    PoolDeleted,
    #[serde(rename = "license.provisioned")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "license.provisioned"))]
    LicenseProvisioned,
    #[serde(rename = "user.added")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.added"))]
    UserAdded,
    #[serde(rename = "user.changed")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.changed"))]
    UserChanged,
    #[serde(rename = "user.disabled")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.disabled"))]
    UserDisabled,
    #[serde(rename = "user.enabled")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.enabled"))]
    UserEnabled,
    #[serde(rename = "user.password_reset")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.password_reset"))]
    UserPasswordReset,
    #[serde(rename = "user.password_set")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.password_set"))]
    UserPasswordSet,
    #[serde(rename = "user.removed")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.removed"))]
    UserRemoved,
    #[serde(rename = "user.two_factor")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "user.two_factor"))]
    TwoFactorChanged,
    #[serde(rename = "license.transferred")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "license.transferred"))]
    LicensesTransferred,
    #[serde(rename = "token.created")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "token.created"))]
    TokenCreated,
    #[serde(rename = "token.revoked")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "token.revoked"))]
    TokenRevoked,
    #[serde(rename = "token.deleted")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "token.deleted"))]
    TokenDeleted,
    #[serde(rename = "instance.registered")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "instance.registered"))]
    InstanceRegistered,
    #[serde(rename = "instance.deregistered")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "instance.deregistered"))]
    InstanceDeregistered,
    #[serde(rename = "instance.removed")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "instance.removed"))]
    InstanceRemoved,
    #[serde(rename = "instance.transferred")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "instance.transferred"))]
    InstanceTransferred,
    #[serde(rename = "instance.out_of_compliance")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "instance.out_of_compliance"))]
    InstanceOutOfCompliance,
    #[serde(rename = "api_key.created")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "api_key.created"))]
    ApiKeyCreated,
    #[serde(rename = "api_key.revoked")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "api_key.revoked"))]
    ApiKeyRevoked,
    /// The first use of a key on each day (every change it makes is an event of its own).
    #[serde(rename = "api_key.used")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "api_key.used"))]
    ApiKeyUsed,
    #[serde(rename = "satellite.registered")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "satellite.registered"))]
    SatelliteRegistered,
    #[serde(rename = "satellite.synchronized")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "satellite.synchronized"))]
    SatelliteSynchronized,
    #[serde(rename = "license.converted")]
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "license.converted"))]
    LicenseConverted,
}

impl EventKind {
    pub const ALL: [EventKind; 29] = [
        EventKind::PoolCreated,
        EventKind::PoolRenamed,
        EventKind::PoolDescribed,
        EventKind::PoolMadeDefault,
        EventKind::PoolDeleted,
        EventKind::LicenseProvisioned,
        EventKind::UserAdded,
        EventKind::UserChanged,
        EventKind::UserDisabled,
        EventKind::UserEnabled,
        EventKind::UserPasswordReset,
        EventKind::UserPasswordSet,
        EventKind::UserRemoved,
        EventKind::TwoFactorChanged,
        EventKind::LicensesTransferred,
        EventKind::TokenCreated,
        EventKind::TokenRevoked,
        EventKind::TokenDeleted,
        EventKind::InstanceRegistered,
        EventKind::InstanceDeregistered,
        EventKind::InstanceRemoved,
        EventKind::InstanceTransferred,
        EventKind::InstanceOutOfCompliance,
        EventKind::ApiKeyCreated,
        EventKind::ApiKeyRevoked,
        EventKind::ApiKeyUsed,
        EventKind::SatelliteRegistered,
        EventKind::SatelliteSynchronized,
        EventKind::LicenseConverted,
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
            EventKind::UserChanged => "user.changed",
            EventKind::UserDisabled => "user.disabled",
            EventKind::UserEnabled => "user.enabled",
            EventKind::UserPasswordReset => "user.password_reset",
            EventKind::UserPasswordSet => "user.password_set",
            EventKind::UserRemoved => "user.removed",
            EventKind::TwoFactorChanged => "user.two_factor",
            EventKind::LicensesTransferred => "license.transferred",
            EventKind::TokenCreated => "token.created",
            EventKind::TokenRevoked => "token.revoked",
            EventKind::TokenDeleted => "token.deleted",
            EventKind::InstanceRegistered => "instance.registered",
            EventKind::InstanceDeregistered => "instance.deregistered",
            EventKind::InstanceRemoved => "instance.removed",
            EventKind::InstanceTransferred => "instance.transferred",
            EventKind::InstanceOutOfCompliance => "instance.out_of_compliance",
            EventKind::ApiKeyCreated => "api_key.created",
            EventKind::ApiKeyRevoked => "api_key.revoked",
            EventKind::ApiKeyUsed => "api_key.used",
            EventKind::SatelliteRegistered => "satellite.registered",
            EventKind::SatelliteSynchronized => "satellite.synchronized",
            EventKind::LicenseConverted => "license.converted",
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
            EventKind::UserChanged => "User changed",
            EventKind::UserDisabled => "User disabled",
            EventKind::UserEnabled => "User enabled",
            EventKind::UserPasswordReset => "Password reset",
            EventKind::UserPasswordSet => "Password set",
            EventKind::UserRemoved => "User removed",
            EventKind::TwoFactorChanged => "Two-factor sign-in changed",
            EventKind::LicensesTransferred => "Licenses transferred",
            EventKind::TokenCreated => "Token created",
            EventKind::TokenRevoked => "Token revoked",
            EventKind::TokenDeleted => "Token deleted",
            EventKind::InstanceRegistered => "Product instance registered",
            EventKind::InstanceDeregistered => "Product instance deregistered",
            EventKind::InstanceRemoved => "Product instance removed",
            EventKind::InstanceTransferred => "Product instance transferred",
            EventKind::InstanceOutOfCompliance => "Out of compliance",
            EventKind::ApiKeyCreated => "API key created",
            EventKind::ApiKeyRevoked => "API key revoked",
            EventKind::ApiKeyUsed => "API key used",
            EventKind::SatelliteRegistered => "Satellite registered",
            EventKind::SatelliteSynchronized => "Satellite synchronized",
            EventKind::LicenseConverted => "Converted to Smart Licensing",
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
    fn kinds_travel_by_their_stable_names() {
        for kind in EventKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }

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
