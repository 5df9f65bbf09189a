//! Virtual accounts, licenses and their transfers.

use app::domain::licenses::{LicenseAlert, LotState};
use app::model;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A virtual account (license pool).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VirtualAccount {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Active licenses it holds (all tags together).
    pub licenses: i64,
    pub tokens: i64,
    pub instances: i64,
    /// Whether this key may change what it holds.
    pub can_change: bool,
}

impl From<model::PoolRow> for VirtualAccount {
    fn from(p: model::PoolRow) -> Self {
        VirtualAccount {
            id: p.id,
            name: p.name,
            description: p.description,
            is_default: p.is_default,
            licenses: p.licenses,
            tokens: p.tokens,
            instances: p.instances,
            can_change: p.can_change,
        }
    }
}

/// `POST /virtual-accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewVirtualAccount {
    /// 1 to 64 characters (no control characters), unique in the smart account.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
}

/// `PATCH /virtual-accounts/{id}`: what to change (absent fields stay).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct VirtualAccountChange {
    /// 1 to 64 characters (no control characters), unique in the smart account.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// At most 500 characters.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: Option<String>,
    /// `true` makes it the smart account's default virtual account.
    pub is_default: Option<bool>,
}

/// A virtual account named in another answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PoolName {
    pub id: i64,
    pub name: String,
}

/// Why a license needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenseAlertKind {
    Insufficient,
    Expiring,
    Expired,
}

/// One license in a virtual account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct License {
    /// The entitlement tag, e.g. `A9K-100G-LIC`.
    pub tag: String,
    /// Empty when the catalogue lacks the tag (a device reported it).
    pub name: String,
    pub product_family: String,
    /// Active licenses held.
    pub purchased: i64,
    pub in_use: i64,
    /// Purchased minus in use; negative is a shortage.
    pub balance: i64,
    /// How many a transfer may move out now.
    pub transferable: i64,
    pub nearest_expiry: Option<DateTime<Utc>>,
    pub alert: Option<LicenseAlertKind>,
    /// The alert in words, as the Licenses tab shows it.
    pub alert_text: Option<String>,
}

impl From<model::LicenseRow> for License {
    fn from(r: model::LicenseRow) -> Self {
        License {
            alert: r.alert.map(|a| match a {
                LicenseAlert::Insufficient { .. } => LicenseAlertKind::Insufficient,
                LicenseAlert::Expiring { .. } => LicenseAlertKind::Expiring,
                LicenseAlert::Expired => LicenseAlertKind::Expired,
            }),
            alert_text: r.alert.map(|a| a.label()),
            tag: r.tag,
            name: r.name,
            product_family: r.product_family,
            purchased: r.purchased,
            in_use: r.in_use,
            balance: r.balance,
            transferable: r.transferable,
            nearest_expiry: r.nearest_expiry,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    NotStarted,
    Active,
    Expired,
}

/// A quantity of one license from one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lot {
    pub id: i64,
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    /// `null` for a perpetual lot.
    pub ends_at: Option<DateTime<Utc>>,
    pub source: String,
    pub state: LotStatus,
}

/// A license's standing in one virtual account of the smart account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoolUsage {
    pub virtual_account: PoolName,
    pub purchased: i64,
    pub in_use: i64,
}

/// One license of a virtual account in full: its lots and its usage in every pool the key sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LicenseDetail {
    pub license: License,
    pub lots: Vec<Lot>,
    pub usage: Vec<PoolUsage>,
}

impl From<model::LicenseDetail> for LicenseDetail {
    fn from(d: model::LicenseDetail) -> Self {
        LicenseDetail {
            license: d.row.into(),
            lots: d
                .lots
                .into_iter()
                .map(|l| Lot {
                    id: l.id,
                    quantity: l.quantity,
                    starts_at: l.starts_at,
                    ends_at: l.ends_at,
                    source: l.source_ref,
                    state: match l.state {
                        LotState::NotStarted => LotStatus::NotStarted,
                        LotState::Active => LotStatus::Active,
                        LotState::Expired => LotStatus::Expired,
                    },
                })
                .collect(),
            usage: d
                .usage
                .into_iter()
                .map(|u| PoolUsage {
                    virtual_account: PoolName {
                        id: u.pool_id,
                        name: u.pool,
                    },
                    purchased: u.purchased,
                    in_use: u.in_use,
                })
                .collect(),
        }
    }
}

/// `POST /transfers`: one or several moves, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferRequest {
    /// 1 to 100 moves.
    #[schema(min_items = 1, max_items = 100)]
    pub transfers: Vec<TransferItem>,
}

/// Move `quantity` licenses of `license` from one virtual account to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferItem {
    /// The entitlement tag.
    #[schema(min_length = 1, max_length = 64)]
    pub license: String,
    /// The id of the virtual account that gives.
    pub from: i64,
    /// The id of the virtual account that receives.
    pub to: i64,
    /// 1 to 1,000,000,000; never more than the giver can spare.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub quantity: i64,
}

/// A move that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferDone {
    pub id: i64,
    pub license: String,
    pub quantity: i64,
    pub from: PoolName,
    pub to: PoolName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferResult {
    pub transfers: Vec<TransferDone>,
}
