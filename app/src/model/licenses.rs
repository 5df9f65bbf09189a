//! The Licenses tab: its rows, pages, query, one license in detail, and transfers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SortDir;
use crate::domain::licenses::{LicenseAlert, LotState, TransferForm};

/// A column the Licenses tab sorts by (`?sort=`); unknown values sort by license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl std::str::FromStr for LicenseSort {
    type Err = ();

    fn from_str(s: &str) -> Result<LicenseSort, ()> {
        LicenseSort::parse(s).ok_or(())
    }
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

    /// The column named by `s`.
    pub fn parse(s: &str) -> Option<LicenseSort> {
        LicenseSort::ALL.into_iter().find(|c| c.as_str() == s)
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
    pub alert: Option<LicenseAlert>,
    /// Days until the forecast shortage (`services::forecasts`), when one is expected.
    pub shortage_expected_in: Option<i64>,
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
    pub state: LotState,
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
    /// Purchased and in use in this pool over the last 90 days, and today.
    pub history: Vec<UsagePoint>,
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

/// What the Licenses tab asks for (`licenses/list`): a page of a pool's licenses whose tag, name or
/// family contains `q`, sorted by a column.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LicenseQuery {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub pool: i64,
    #[serde(default)]
    pub q: String,
    #[serde(default, deserialize_with = "super::lenient")]
    pub sort: LicenseSort,
    #[serde(default, deserialize_with = "super::lenient")]
    pub dir: SortDir,
    /// 1-based.
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub page: u64,
}

/// One license of one pool (`licenses/detail`).
#[serde_with::serde_as]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct LicenseInPool {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub pool: i64,
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub license: i64,
}

/// The transfer form (`licenses/transfer`): which license leaves which pool, and the fields as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LicenseTransferForm {
    #[serde(flatten)]
    pub from: LicenseInPool,
    #[serde(flatten)]
    pub fields: TransferForm,
}

/// One transfer of the Resolve Shortages plan, as the page shows it: the two pools' balances of the
/// license are those once the whole plan has run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortageMove {
    pub tag: String,
    pub license: i64,
    pub from_pool: i64,
    pub from_name: String,
    pub to_pool: i64,
    pub to_name: String,
    pub quantity: i64,
    pub from_balance: i64,
    pub to_balance: i64,
    /// The giver is expected to run short of it too: no pool without a forecast shortage had enough.
    pub from_expects_shortage: bool,
}

/// "Resolve Shortages…": the plan for the pools the user may change, what no plan can clear (tag,
/// quantity to buy), the shortages in pools the user sees but may not change, and the plan's
/// fingerprint ("Apply" runs the plan only while the licenses are as they were when it was made).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShortagePlanView {
    pub moves: Vec<ShortageMove>,
    pub missing: Vec<(String, i64)>,
    pub out_of_reach: Vec<(String, String, i64)>,
    pub fingerprint: String,
}

/// What "Apply" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortagesResolved {
    pub transfers: usize,
    pub quantity: i64,
}

/// One day of usage: licenses purchased and in use (summed over the pools and licenses shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePoint {
    pub day: chrono::NaiveDate,
    pub purchased: i64,
    pub in_use: i64,
}

/// One virtual account on the Overview: what it holds and uses, and what needs attention (each a
/// count linking to the place to act).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewPool {
    pub id: i64,
    pub name: String,
    pub purchased: i64,
    pub in_use: i64,
    pub instances: i64,
    /// Licenses in shortage, with an active term lot ending within 90 days, with every lot expired.
    pub short: i64,
    pub expiring: i64,
    pub expired: i64,
    /// Product instances that failed to connect or to renew.
    pub failing: i64,
    pub tokens_expiring: i64,
}

/// The Overview: every virtual account the user sees, and usage over the last 90 days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Overview {
    pub pools: Vec<OverviewPool>,
    pub history: Vec<UsagePoint>,
    /// The user may change two pools or more ("Resolve Shortages…").
    pub can_resolve: bool,
}

/// "Transfer Several…" (`licenses/transfer-several`): licenses of one pool to one target at once,
/// `license[]` and `quantity[]` in step (a blank quantity leaves that license where it is).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeveralTransfersForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub pool: i64,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    #[serde_as(as = "Vec<serde_with::DisplayFromStr>")]
    pub license: Vec<i64>,
    #[serde(default)]
    pub quantity: Vec<String>,
}

impl SeveralTransfersForm {
    /// The field of the quantity of `license` in the form (errors name it).
    pub fn quantity_field(license: i64) -> String {
        format!("quantity-{license}")
    }
}
