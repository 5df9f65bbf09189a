//! The Product Instances tab: its rows, pages, query and sort orders, and one instance in detail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{EventRow, SortDir};
use crate::protocol::{EntitlementStatus, InstanceStatus};

/// A row of the Product Instances tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub pid: String,
    pub sn: String,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    /// "A9K-100G-LIC × 2, …"
    pub licenses: String,
    /// The same as (tag, count), in tag order.
    pub usage: Vec<(String, i64)>,
    /// The satellite it registered through ("via …"); None when it talks to the portal itself.
    pub via: Option<String>,
}

impl InstanceRow {
    /// "PID:ASR-9006-AC,SN:FOX1234ABCD", as a router shows it.
    pub fn udi(&self) -> String {
        format!("PID:{},SN:{}", self.pid, self.sn)
    }
}

/// Rows a page of the Product Instances tab.
pub const INSTANCE_PAGE_SIZE: u64 = 50;

/// A page of instances; `next` is the cursor of the following page, `prev` of the one before (for
/// `before`), if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancePage {
    pub rows: Vec<InstanceRow>,
    pub next: Option<String>,
    pub prev: Option<String>,
    /// How many instances match; with `total_exact` false, at least this many (counting stops at
    /// `services::instances::list::COUNT_CAP` so that a broad search at a million rows stays fast).
    pub total: u64,
    pub total_exact: bool,
}

/// One entitlement of an instance with its pooled status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceEntitlement {
    pub tag: String,
    pub name: Option<String>,
    pub count: i64,
    /// Pooled over the instance's virtual account.
    pub status: EntitlementStatus,
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

/// The orders the Product Instances tab offers (`?sort=`); each is backed by an index on
/// (pool, column, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceSort {
    #[default]
    Hostname,
    Serial,
    LastContact,
    Registered,
}

impl std::str::FromStr for InstanceSort {
    type Err = ();

    fn from_str(s: &str) -> Result<InstanceSort, ()> {
        InstanceSort::parse(s).ok_or(())
    }
}

impl InstanceSort {
    pub const ALL: [InstanceSort; 4] = [
        InstanceSort::Hostname,
        InstanceSort::Serial,
        InstanceSort::LastContact,
        InstanceSort::Registered,
    ];

    /// The `?sort=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceSort::Hostname => "hostname",
            InstanceSort::Serial => "serial",
            InstanceSort::LastContact => "last_contact",
            InstanceSort::Registered => "registered",
        }
    }

    pub fn parse(s: &str) -> Option<InstanceSort> {
        InstanceSort::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            InstanceSort::Hostname => "Name",
            InstanceSort::Serial => "Serial",
            InstanceSort::LastContact => "Last Contact",
            InstanceSort::Registered => "Registered",
        }
    }

    /// Times sort newest first when their header is first clicked; names A to Z.
    pub fn first_dir(self) -> SortDir {
        match self {
            InstanceSort::LastContact | InstanceSort::Registered => SortDir::Desc,
            InstanceSort::Hostname | InstanceSort::Serial => SortDir::Asc,
        }
    }
}

/// What the Product Instances tab asks for (`instances/list`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstanceQuery {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub pool: i64,
    /// Matches anywhere in hostname, serial number, PID or product, whatever the case.
    #[serde(default)]
    pub search: String,
    /// Only instances in this status (`InstanceStatus::code`; anything else: all).
    #[serde(
        default,
        deserialize_with = "status_code",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<InstanceStatus>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub sort: InstanceSort,
    #[serde(default, deserialize_with = "super::lenient")]
    pub dir: SortDir,
    /// The previous page's `next` cursor.
    #[serde(default)]
    pub after: Option<String>,
    /// The following page's `prev` cursor (going back); `after` wins when both are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Rows a page (1 to 500; the tab's 50 when absent).
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// A move of an instance to another virtual account (`instances/transfer`).
#[serde_with::serde_as]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstanceTransfer {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub id: i64,
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub target: i64,
}

/// Which instances a bulk action takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkSelection {
    /// These instances (the rows ticked).
    Ids(Vec<i64>),
    /// Every instance of the pool matching the tab's search ("Select all N matching").
    Matching {
        pool: i64,
        search: String,
        #[serde(default)]
        status: Option<InstanceStatus>,
    },
}

/// A license that a transfer of instances would leave short in the target virtual account (the
/// transfer confirmation's warning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub tag: String,
    /// How many the target would be short once the instances are there.
    pub short: i64,
    /// Of which the transfer adds (the target may be short already).
    pub added: i64,
}

/// What a bulk action does to each instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// Move to this virtual account.
    Transfer { target: i64 },
    /// Remove (licenses released, the device registers again).
    Remove,
}

/// One chunk of a bulk action: the selected instances with ids above `after`, up to
/// `services::instances::bulk::CHUNK` of them, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkStep {
    pub selection: BulkSelection,
    pub action: BulkAction,
    pub after: Option<i64>,
}

/// An instance a bulk action left as it was, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkSkip {
    pub id: i64,
    pub hostname: String,
    pub reason: String,
}

/// What a chunk did: how many it changed, which it skipped, and where the next chunk starts (None:
/// the last chunk).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BulkProgress {
    pub done: u64,
    pub skipped: Vec<BulkSkip>,
    pub next: Option<i64>,
}

/// An instance status by its code; an unknown or empty one is none (all statuses).
fn status_code<'de, D>(deserializer: D) -> Result<Option<InstanceStatus>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.and_then(|r| InstanceStatus::ALL.into_iter().find(|s| s.code() == r)))
}
