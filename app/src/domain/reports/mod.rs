//! Reports: which reports exist, their columns, the filters they take (parsed from a query string, so
//! that the page and the `/export/…` links read the same thing), and the cell rules of the exports
//! (CSV quoting with formula neutralisation, Excel's sheet size).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::licenses::LicenseAlert;
use crate::domain::tokens::TokenState;
use crate::protocol::{EntitlementStatus, InstanceStatus};

mod files;
mod filter;
mod rows;

pub use files::*;
pub use filter::*;
pub use rows::*;

/// Rows an Excel sheet holds, header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// A report the portal offers. `FullInventory` exists only as an export: every report in one workbook.
/// On the wire and in URLs it is its slug (`product-instances`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    #[default]
    Licenses,
    ProductInstances,
    VirtualAccounts,
    LicenseUsage,
    /// The daily snapshots (`services::snapshots`).
    LicenseUsageHistory,
    Tokens,
    EventLog,
    FullInventory,
}

/// What a column holds; it decides the cell type in Excel and the width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    Text,
    Number,
    /// A UTC date and time.
    Time,
}

/// A column of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub kind: ColumnType,
    /// Width in Excel's character units.
    pub width: u16,
}

/// A value of a report's status filter (`?status=`). Reports share some: `authorized` filters both the
/// instances and the license usage, `expired` both the licenses and the tokens, so that one status
/// applies to every part of a Full Inventory it fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Authorized,
    OutOfCompliance,
    AuthorizationExpired,
    FailedToConnect,
    Active,
    Expired,
    Revoked,
    Exhausted,
    /// A license with fewer active licenses than in use.
    Insufficient,
    /// A license with an active term lot ending within 90 days.
    Expiring,
    /// A license with no alert mark.
    Ok,
}

const INSTANCE_STATUSES: &[ReportStatus] = &[
    ReportStatus::Authorized,
    ReportStatus::OutOfCompliance,
    ReportStatus::AuthorizationExpired,
    ReportStatus::FailedToConnect,
];
const USAGE_STATUSES: &[ReportStatus] = &[ReportStatus::Authorized, ReportStatus::OutOfCompliance];
const TOKEN_STATUSES: &[ReportStatus] = &[
    ReportStatus::Active,
    ReportStatus::Expired,
    ReportStatus::Revoked,
    ReportStatus::Exhausted,
];
const LICENSE_STATUSES: &[ReportStatus] = &[
    ReportStatus::Insufficient,
    ReportStatus::Expiring,
    ReportStatus::Expired,
    ReportStatus::Ok,
];

impl ReportStatus {
    pub const ALL: [ReportStatus; 11] = [
        ReportStatus::Authorized,
        ReportStatus::OutOfCompliance,
        ReportStatus::AuthorizationExpired,
        ReportStatus::FailedToConnect,
        ReportStatus::Active,
        ReportStatus::Expired,
        ReportStatus::Revoked,
        ReportStatus::Exhausted,
        ReportStatus::Insufficient,
        ReportStatus::Expiring,
        ReportStatus::Ok,
    ];

    /// The `?status=` value.
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Authorized => "authorized",
            ReportStatus::OutOfCompliance => "out_of_compliance",
            ReportStatus::AuthorizationExpired => "authorization_expired",
            ReportStatus::FailedToConnect => "failed_to_connect",
            ReportStatus::Active => "active",
            ReportStatus::Expired => "expired",
            ReportStatus::Revoked => "revoked",
            ReportStatus::Exhausted => "exhausted",
            ReportStatus::Insufficient => "insufficient",
            ReportStatus::Expiring => "expiring",
            ReportStatus::Ok => "ok",
        }
    }

    pub fn parse(code: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the filter's list shows.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::Insufficient => "Insufficient Licenses",
            ReportStatus::Expiring => "Expiring",
            ReportStatus::Ok => "No alert",
            ReportStatus::Expired => "Expired",
            other => other
                .instance()
                .map(InstanceStatus::label)
                .or_else(|| other.token().map(TokenState::label))
                .unwrap_or("Any"),
        }
    }

    /// The instance status it selects, if it is one.
    pub fn instance(self) -> Option<InstanceStatus> {
        InstanceStatus::ALL
            .into_iter()
            .find(|s| s.code() == self.code())
    }

    /// The entitlement status it selects, if it is one.
    pub fn usage(self) -> Option<EntitlementStatus> {
        EntitlementStatus::ALL
            .into_iter()
            .find(|s| s.code() == self.code())
    }

    /// The token state it selects, if it is one.
    pub fn token(self) -> Option<TokenState> {
        TokenState::ALL
            .into_iter()
            .find(|s| s.code() == self.code())
    }

    /// The status of a license with this alert mark (or none).
    pub fn of_license(alert: Option<LicenseAlert>) -> ReportStatus {
        match alert {
            Some(LicenseAlert::Insufficient { .. }) => ReportStatus::Insufficient,
            Some(LicenseAlert::Expiring { .. }) => ReportStatus::Expiring,
            Some(LicenseAlert::Expired) => ReportStatus::Expired,
            None => ReportStatus::Ok,
        }
    }
}

impl ReportKind {
    /// The reports of the page, in its order (Full Inventory is an export of all of them).
    pub const SINGLE: [ReportKind; 7] = [
        ReportKind::Licenses,
        ReportKind::ProductInstances,
        ReportKind::VirtualAccounts,
        ReportKind::LicenseUsage,
        ReportKind::LicenseUsageHistory,
        ReportKind::Tokens,
        ReportKind::EventLog,
    ];

    /// The name in URLs (`?report=` and `/export/<slug>.xlsx`).
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::Licenses => "licenses",
            ReportKind::ProductInstances => "product-instances",
            ReportKind::VirtualAccounts => "virtual-accounts",
            ReportKind::LicenseUsage => "license-usage",
            ReportKind::LicenseUsageHistory => "license-usage-history",
            ReportKind::Tokens => "tokens",
            ReportKind::EventLog => "event-log",
            ReportKind::FullInventory => "full-inventory",
        }
    }

    pub fn parse(slug: &str) -> Option<ReportKind> {
        ReportKind::SINGLE
            .into_iter()
            .chain([ReportKind::FullInventory])
            .find(|k| k.slug() == slug)
    }

    /// The title, also the sheet name (at most 31 characters, as Excel requires).
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Licenses => "Licenses",
            ReportKind::ProductInstances => "Product Instances",
            ReportKind::VirtualAccounts => "Virtual Accounts",
            ReportKind::LicenseUsage => "License Usage",
            ReportKind::LicenseUsageHistory => "License Usage History",
            ReportKind::Tokens => "Tokens",
            ReportKind::EventLog => "Event Log",
            ReportKind::FullInventory => "Full Inventory",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ReportKind::Licenses => {
                "Per virtual account and license: purchased, in use, balance, expiry."
            }
            ReportKind::ProductInstances => {
                "Every registered device with its status and entitlements."
            }
            ReportKind::VirtualAccounts => "Per virtual account: licenses, tokens and devices.",
            ReportKind::LicenseUsage => "One row per device and license it uses.",
            ReportKind::LicenseUsageHistory => {
                "Per day, virtual account and license: purchased, in use, product instances."
            }
            ReportKind::Tokens => "Registration tokens with their use and state.",
            ReportKind::EventLog => "What happened, newest first.",
            ReportKind::FullInventory => "Every report, one sheet each, with a summary sheet.",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ReportKind::Licenses => LicenseReportRow::COLUMNS,
            ReportKind::ProductInstances => InstanceReportRow::COLUMNS,
            ReportKind::VirtualAccounts => PoolReportRow::COLUMNS,
            ReportKind::LicenseUsage => UsageReportRow::COLUMNS,
            ReportKind::LicenseUsageHistory => HistoryReportRow::COLUMNS,
            ReportKind::Tokens => TokenReportRow::COLUMNS,
            ReportKind::EventLog => EventReportRow::COLUMNS,
            ReportKind::FullInventory => &[],
        }
    }

    /// The status filter's choices; empty when the report has none.
    pub fn statuses(self) -> &'static [ReportStatus] {
        match self {
            ReportKind::Licenses => LICENSE_STATUSES,
            ReportKind::ProductInstances => INSTANCE_STATUSES,
            ReportKind::LicenseUsage => USAGE_STATUSES,
            ReportKind::Tokens => TOKEN_STATUSES,
            _ => &[],
        }
    }

    /// Whether the license filter applies.
    pub fn has_license_filter(self) -> bool {
        matches!(
            self,
            ReportKind::Licenses
                | ReportKind::ProductInstances
                | ReportKind::LicenseUsage
                | ReportKind::LicenseUsageHistory
        )
    }

    /// What the date range filters, if the report has one.
    pub fn date_label(self) -> Option<&'static str> {
        match self {
            ReportKind::ProductInstances => Some("Registered"),
            ReportKind::LicenseUsageHistory => Some("Day"),
            ReportKind::Tokens => Some("Created"),
            ReportKind::EventLog => Some("Time"),
            _ => None,
        }
    }

    /// The reports a Full Inventory workbook holds (itself: every single report).
    pub fn parts(self) -> Vec<ReportKind> {
        match self {
            ReportKind::FullInventory => ReportKind::SINGLE.to_vec(),
            single => vec![single],
        }
    }
}

/// One cell of a report row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(i64),
    Time(DateTime<Utc>),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_time(t: Option<DateTime<Utc>>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }

    /// The cell as the page and the CSV show it.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Time(t) => crate::format::spreadsheet(*t),
        }
    }
}

#[cfg(test)]
mod tests;
