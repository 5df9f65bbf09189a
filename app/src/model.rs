//! Wire types shared by server functions and pages. They compile to wasm; entities never do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

/// The signed-in user and the account they are working in, for the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub smart_account: String,
    pub role: Role,
    /// Virtual accounts the user can see, default first then by name.
    pub pools: Vec<PoolRef>,
    /// Whether the user may create, delete or make default a virtual account.
    pub manages_pools: bool,
}

impl Me {
    /// The pool with `id`, or the default one, or the first one the user sees.
    pub fn pick_pool(&self, id: Option<i64>) -> Option<&PoolRef> {
        id.and_then(|id| self.pools.iter().find(|p| p.id == id))
            .or_else(|| self.pools.iter().find(|p| p.is_default))
            .or_else(|| self.pools.first())
    }
}

/// A virtual account as a selector shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRef {
    pub id: i64,
    pub name: String,
    pub is_default: bool,
    /// Whether the user may change what the pool holds.
    pub can_change: bool,
}

/// A row of the Virtual Accounts page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Active licenses (sum of lot quantities that count today).
    pub licenses: i64,
    pub tokens: i64,
    pub instances: i64,
    pub can_change: bool,
}

/// One line of the Event Log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub kind_label: String,
    pub message: String,
}

/// A page of events, newest first; `older` is the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub rows: Vec<EventRow>,
    pub older: Option<i64>,
}

/// A registration token as the General tab lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    /// The whole token for users who may change the pool; shortened (`abcd…wxyz`) for viewers.
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub uses: i32,
    pub max_uses: Option<i32>,
    pub allow_export_controlled: bool,
    /// Active, Expired, Revoked or Exhausted.
    pub state: String,
    pub revoke_reason: Option<String>,
}

/// A row of the Product Instances tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub pid: String,
    pub sn: String,
    pub last_contact_at: DateTime<Utc>,
    /// Authorized, Out of Compliance, Authorization Expired or Failed to Connect.
    pub status: String,
    /// "A9K-100G-LIC × 2, …"
    pub licenses: String,
}

/// A page of instances; `next` is the cursor of the following page, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancePage {
    pub rows: Vec<InstanceRow>,
    pub next: Option<String>,
}

/// One entitlement of an instance with its pooled status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceEntitlement {
    pub tag: String,
    pub name: Option<String>,
    pub count: i64,
    /// Authorized or Out of Compliance (pooled over the instance's virtual account).
    pub status: String,
}

/// Everything the portal knows of one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceDetail {
    pub row: InstanceRow,
    pub pool_id: i64,
    pub pool_name: String,
    pub software_version: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub id_cert_serial: String,
    pub id_cert_expires_at: DateTime<Utc>,
    pub auth_expires_at: Option<DateTime<Utc>>,
    pub entitlements: Vec<InstanceEntitlement>,
    pub events: Vec<EventRow>,
    pub can_change: bool,
}

/// A column the Licenses tab sorts by (`?sort=`); unknown values sort by license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LicenseSort {
    #[default]
    License,
    Family,
    Purchased,
    InUse,
    Balance,
    Expires,
    Alert,
}

impl LicenseSort {
    pub const ALL: [LicenseSort; 7] = [
        LicenseSort::License,
        LicenseSort::Family,
        LicenseSort::Purchased,
        LicenseSort::InUse,
        LicenseSort::Balance,
        LicenseSort::Expires,
        LicenseSort::Alert,
    ];

    /// The `?sort=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseSort::License => "license",
            LicenseSort::Family => "family",
            LicenseSort::Purchased => "purchased",
            LicenseSort::InUse => "in_use",
            LicenseSort::Balance => "balance",
            LicenseSort::Expires => "expires",
            LicenseSort::Alert => "alert",
        }
    }

    /// The column named by `s`, or License.
    pub fn parse(s: &str) -> LicenseSort {
        LicenseSort::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or_default()
    }
}

/// One row of the Licenses tab: a license the pool holds (in lots of any state) or uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseRow {
    /// None for a tag that devices use but the catalogue does not know.
    pub license_id: Option<i64>,
    pub tag: String,
    pub name: String,
    pub product_family: String,
    /// Quantity of the active lots.
    pub purchased: i64,
    pub in_use: i64,
    /// Purchased minus in use; negative is a shortage.
    pub balance: i64,
    /// The most a transfer may move now.
    pub transferable: i64,
    /// The soonest end of an active term lot; None with purchased > 0 means perpetual.
    pub nearest_expiry: Option<DateTime<Utc>>,
    pub alert: Option<crate::domain::licenses::LicenseAlert>,
}

/// A page of the Licenses tab (1-based `page` of `pages`, `total` rows in all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicensePage {
    pub rows: Vec<LicenseRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// A lot of the license detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseLotRow {
    pub id: i64,
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    /// None for a perpetual lot.
    pub ends_at: Option<DateTime<Utc>>,
    pub source_ref: String,
    pub state: crate::domain::licenses::LotState,
}

/// Purchased and in use of the license in one virtual account, for the usage chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicensePoolUsage {
    pub pool_id: i64,
    pub pool: String,
    pub purchased: i64,
    pub in_use: i64,
}

/// A product instance using the license.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseInstanceRow {
    pub id: i64,
    pub hostname: String,
    pub udi: String,
    pub count: i64,
}

/// One transfer in a license's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseTransferRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub from_pool: String,
    pub to_pool: String,
    pub quantity: i64,
    pub actor: String,
}

/// Everything the license detail shows for one license in one pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseDetail {
    pub row: LicenseRow,
    /// Every lot of the pool, expired ones too, by start.
    pub lots: Vec<LicenseLotRow>,
    /// Per virtual account the user sees that holds or uses the license.
    pub usage: Vec<LicensePoolUsage>,
    /// The pool's instances using it, by hostname (the first 50).
    pub instances: Vec<LicenseInstanceRow>,
    pub more_instances: bool,
    /// Transfers in or out of the pool, newest first (the last 50).
    pub transfers: Vec<LicenseTransferRow>,
}

/// What a transfer moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferDone {
    pub id: i64,
    pub tag: String,
    pub quantity: i64,
    pub from_pool: String,
    pub to_pool: String,
}

/// What the Reports page shows of a report: its columns, the first rows and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportPreview {
    pub columns: Vec<(String, crate::domain::reports::ColumnType)>,
    pub rows: Vec<Vec<crate::domain::reports::Cell>>,
    pub total: u64,
    /// The filters as the server understood them, to build the export links.
    pub query: String,
}

/// How far an export has got, for the Reports page while the browser waits for the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportProgress {
    pub rows: u64,
    pub total: u64,
    pub done: bool,
}
