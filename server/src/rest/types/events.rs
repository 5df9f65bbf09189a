//! Events and alerts.

use app::domain::alerts::{Alert as AppAlert, AlertKind, AlertSource, Severity};
use app::model;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PoolName;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// A user, `user (API key "name")`, a device or the operator.
    pub actor: String,
    /// The kind's stable name, e.g. `license.transferred`, `token.created`.
    pub kind: String,
    pub message: String,
}

impl From<model::EventRow> for Event {
    fn from(e: model::EventRow) -> Self {
        Event {
            id: e.id,
            at: e.at,
            actor: e.actor,
            kind: e.kind.as_str().to_owned(),
            message: e.message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Major,
    Minor,
    Informational,
}

impl From<Severity> for AlertSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Major => AlertSeverity::Major,
            Severity::Minor => AlertSeverity::Minor,
            Severity::Informational => AlertSeverity::Informational,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertType {
    InsufficientLicenses,
    InstanceFailedToRenew,
    InstanceFailedToConnect,
    LicensesExpired,
    LicensesExpiring,
    TokenExpiring,
    SatelliteNotSynchronized,
    ShortageExpected,
}

impl From<AlertKind> for AlertType {
    fn from(k: AlertKind) -> Self {
        match k {
            AlertKind::InsufficientLicenses => AlertType::InsufficientLicenses,
            AlertKind::InstanceFailedToRenew => AlertType::InstanceFailedToRenew,
            AlertKind::InstanceFailedToConnect => AlertType::InstanceFailedToConnect,
            AlertKind::LicensesExpired => AlertType::LicensesExpired,
            AlertKind::LicensesExpiring => AlertType::LicensesExpiring,
            AlertKind::TokenExpiring => AlertType::TokenExpiring,
            AlertKind::SatelliteNotSynchronized => AlertType::SatelliteNotSynchronized,
            AlertKind::ShortageExpected => AlertType::ShortageExpected,
        }
    }
}

/// Something that needs action, as the Alerts page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    #[serde(rename = "type")]
    pub kind: AlertType,
    pub severity: AlertSeverity,
    pub virtual_account: PoolName,
    /// The license tag, for license alerts.
    pub license: Option<String>,
    /// The product instance, for an alert about one device.
    pub product_instance_id: Option<i64>,
    /// The token, for a token alert.
    pub token_id: Option<i64>,
    pub message: String,
    /// When action is due.
    pub due: DateTime<Utc>,
}

impl From<AppAlert> for Alert {
    fn from(a: AppAlert) -> Self {
        let (license, instance, token) = match &a.source {
            AlertSource::License { tag, .. } => (Some(tag.clone()), None, None),
            AlertSource::Instance { id, .. } => (None, Some(*id), None),
            AlertSource::Instances { .. } => (None, None, None),
            AlertSource::Token { id, .. } => (None, None, Some(*id)),
            AlertSource::Satellite { .. } => (None, None, None),
        };
        Alert {
            kind: a.kind.into(),
            severity: a.severity.into(),
            virtual_account: PoolName {
                id: a.pool_id,
                name: a.pool,
            },
            license,
            product_instance_id: instance,
            token_id: token,
            message: a.message,
            due: a.due,
        }
    }
}
