//! Product instances (registered devices).

use app::model;
use chrono::{DateTime, Utc};
use device_protocol::{EntitlementStatus, InstanceStatus, Udi};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PoolName;

/// A tag and how many of it a device uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    pub tag: String,
    pub count: i64,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProductInstance {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub udi: Udi,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    pub usage: Vec<Usage>,
}

impl From<model::InstanceRow> for ProductInstance {
    fn from(r: model::InstanceRow) -> Self {
        ProductInstance {
            id: r.id,
            hostname: r.hostname,
            product: r.product,
            udi: Udi {
                pid: r.pid,
                sn: r.sn,
            },
            last_contact_at: r.last_contact_at,
            status: r.status,
            usage: r
                .usage
                .into_iter()
                .map(|(tag, count)| Usage { tag, count })
                .collect(),
        }
    }
}

/// One entitlement of a device with its pooled status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceEntitlement {
    pub tag: String,
    pub count: i64,
    pub status: EntitlementStatus,
}

/// A registered device in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProductInstanceDetail {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub udi: Udi,
    pub virtual_account: PoolName,
    pub software_version: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    pub id_cert_serial: String,
    pub id_cert_expires_at: DateTime<Utc>,
    pub authorization_expires_at: Option<DateTime<Utc>>,
    pub entitlements: Vec<InstanceEntitlement>,
}

impl From<model::InstanceDetail> for ProductInstanceDetail {
    fn from(d: model::InstanceDetail) -> Self {
        ProductInstanceDetail {
            id: d.row.id,
            hostname: d.row.hostname,
            product: d.row.product,
            udi: Udi {
                pid: d.row.pid,
                sn: d.row.sn,
            },
            virtual_account: PoolName {
                id: d.pool_id,
                name: d.pool_name,
            },
            software_version: d.software_version,
            registered_at: d.registered_at,
            last_contact_at: d.row.last_contact_at,
            status: d.row.status,
            id_cert_serial: d.id_cert_serial,
            id_cert_expires_at: d.id_cert_expires_at,
            authorization_expires_at: d.auth_expires_at,
            entitlements: d
                .entitlements
                .into_iter()
                .map(|e| InstanceEntitlement {
                    tag: e.tag,
                    count: e.count,
                    status: e.status,
                })
                .collect(),
        }
    }
}

/// `POST /product-instances/transfer`: one or several devices to one virtual account, together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceTransferRequest {
    /// 1 to 500 product instance ids.
    #[schema(min_items = 1, max_items = 500)]
    pub instances: Vec<i64>,
    /// The id of the receiving virtual account.
    pub to: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceTransferResult {
    pub transferred: Vec<i64>,
    pub to: PoolName,
}
