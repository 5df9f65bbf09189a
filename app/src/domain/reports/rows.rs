//! One struct per report row, beside the report's columns: a row's `cells` are in the columns' order,
//! and a test checks that every row has as many cells as its report has columns.

use chrono::{DateTime, Utc};

use super::{Cell, Column, ColumnType};
use crate::domain::licenses::LicenseAlert;
use crate::domain::tokens::TokenState;
use crate::protocol::{EntitlementStatus, InstanceStatus};

/// A row of a report, as the preview, the CSV and the workbook write it.
pub trait ReportRow {
    /// The report's columns, in order.
    const COLUMNS: &'static [Column];

    /// The row's cells, one per column.
    fn cells(self) -> Vec<Cell>;
}

const fn text(title: &'static str, width: u16) -> Column {
    Column {
        title,
        kind: ColumnType::Text,
        width,
    }
}

const fn number(title: &'static str) -> Column {
    Column {
        title,
        kind: ColumnType::Number,
        width: 12,
    }
}

const fn time(title: &'static str) -> Column {
    Column {
        title,
        kind: ColumnType::Time,
        width: 18,
    }
}

const LICENSES: &[Column] = &[
    text("Virtual Account", 20),
    text("License", 36),
    text("Entitlement Tag", 24),
    text("Product Family", 14),
    number("Purchased"),
    number("In Use"),
    number("Balance"),
    time("Next Expiry (UTC)"),
    text("Alert", 24),
];

const PRODUCT_INSTANCES: &[Column] = &[
    text("Virtual Account", 20),
    text("Hostname", 24),
    text("Product", 12),
    text("PID", 16),
    text("Serial Number", 16),
    text("Software Version", 12),
    time("Registered (UTC)"),
    time("Last Contact (UTC)"),
    text("Status", 20),
    time("ID Certificate Expires (UTC)"),
    time("Authorization Expires (UTC)"),
    text("Entitlements", 40),
];

const VIRTUAL_ACCOUNTS: &[Column] = &[
    text("Virtual Account", 20),
    text("Description", 36),
    text("Default", 8),
    number("Active Licenses"),
    number("Licenses In Use"),
    number("Tokens"),
    number("Product Instances"),
];

const LICENSE_USAGE: &[Column] = &[
    text("Virtual Account", 20),
    text("Hostname", 24),
    text("PID", 16),
    text("Serial Number", 16),
    text("Entitlement Tag", 24),
    text("License", 36),
    number("Count"),
    text("Status", 18),
    time("Last Contact (UTC)"),
];

const USAGE_HISTORY: &[Column] = &[
    time("Day (UTC)"),
    text("Virtual Account", 20),
    text("Entitlement Tag", 24),
    text("License", 36),
    number("Purchased"),
    number("In Use"),
    number("Balance"),
    number("Product Instances"),
];

const TOKENS: &[Column] = &[
    text("Virtual Account", 20),
    text("Token", 30),
    text("Description", 30),
    text("Created By", 14),
    time("Created (UTC)"),
    time("Expires (UTC)"),
    number("Uses"),
    number("Max Uses"),
    text("Export-Controlled", 10),
    text("Status", 10),
    text("Revoke Reason", 30),
];

const EVENT_LOG: &[Column] = &[
    time("Time (UTC)"),
    text("Virtual Account", 20),
    text("Actor", 24),
    text("Event", 24),
    text("Message", 60),
];

/// Licenses: one per virtual account and license.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseReportRow {
    pub pool: String,
    pub name: String,
    pub tag: String,
    pub family: String,
    pub purchased: i64,
    pub in_use: i64,
    pub balance: i64,
    pub next_expiry: Option<DateTime<Utc>>,
    pub alert: Option<LicenseAlert>,
}

impl ReportRow for LicenseReportRow {
    const COLUMNS: &'static [Column] = LICENSES;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Text(self.pool),
            Cell::Text(self.name),
            Cell::Text(self.tag),
            Cell::Text(self.family),
            Cell::Number(self.purchased),
            Cell::Number(self.in_use),
            Cell::Number(self.balance),
            Cell::opt_time(self.next_expiry),
            self.alert.map_or(Cell::Empty, |a| Cell::Text(a.label())),
        ]
    }
}

/// Product Instances: one per registered device.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceReportRow {
    pub pool: String,
    pub hostname: String,
    pub product: String,
    pub pid: String,
    pub sn: String,
    pub software_version: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    pub id_cert_expires_at: DateTime<Utc>,
    pub auth_expires_at: Option<DateTime<Utc>>,
    /// "A9K-100G-LIC × 2, …"
    pub entitlements: String,
}

impl ReportRow for InstanceReportRow {
    const COLUMNS: &'static [Column] = PRODUCT_INSTANCES;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Text(self.pool),
            Cell::Text(self.hostname),
            Cell::Text(self.product),
            Cell::Text(self.pid),
            Cell::Text(self.sn),
            self.software_version.map_or(Cell::Empty, Cell::Text),
            Cell::Time(self.registered_at),
            Cell::Time(self.last_contact_at),
            Cell::text(self.status.label()),
            Cell::Time(self.id_cert_expires_at),
            Cell::opt_time(self.auth_expires_at),
            Cell::Text(self.entitlements),
        ]
    }
}

/// Virtual Accounts: one per pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolReportRow {
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub active_licenses: i64,
    pub in_use: i64,
    pub tokens: i64,
    pub instances: i64,
}

impl ReportRow for PoolReportRow {
    const COLUMNS: &'static [Column] = VIRTUAL_ACCOUNTS;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Text(self.name),
            Cell::Text(self.description),
            Cell::text(if self.is_default { "Yes" } else { "No" }),
            Cell::Number(self.active_licenses),
            Cell::Number(self.in_use),
            Cell::Number(self.tokens),
            Cell::Number(self.instances),
        ]
    }
}

/// License Usage: one per device and license it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageReportRow {
    pub pool: String,
    pub hostname: String,
    pub pid: String,
    pub sn: String,
    pub tag: String,
    /// The catalogue's name, if it knows the tag.
    pub license: Option<String>,
    pub count: i64,
    pub status: EntitlementStatus,
    pub last_contact_at: DateTime<Utc>,
}

impl ReportRow for UsageReportRow {
    const COLUMNS: &'static [Column] = LICENSE_USAGE;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Text(self.pool),
            Cell::Text(self.hostname),
            Cell::Text(self.pid),
            Cell::Text(self.sn),
            Cell::Text(self.tag),
            self.license.map_or(Cell::Empty, Cell::Text),
            Cell::Number(self.count),
            Cell::text(self.status.label()),
            Cell::Time(self.last_contact_at),
        ]
    }
}

/// License Usage History: one per day, virtual account and license (the daily snapshots).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryReportRow {
    /// The day's start (UTC).
    pub day: DateTime<Utc>,
    pub pool: String,
    pub tag: String,
    /// The catalogue's name, if it knows the tag.
    pub license: Option<String>,
    pub purchased: i64,
    pub in_use: i64,
    pub instances: i64,
}

impl ReportRow for HistoryReportRow {
    const COLUMNS: &'static [Column] = USAGE_HISTORY;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Time(self.day),
            Cell::Text(self.pool),
            Cell::Text(self.tag),
            self.license.map_or(Cell::Empty, Cell::Text),
            Cell::Number(self.purchased),
            Cell::Number(self.in_use),
            Cell::Number(self.purchased - self.in_use),
            Cell::Number(self.instances),
        ]
    }
}

/// Tokens: one per registration token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenReportRow {
    pub pool: String,
    /// Whole for users who may change the pool, shortened for the others.
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub uses: i32,
    pub max_uses: Option<i32>,
    pub allow_export_controlled: bool,
    pub state: TokenState,
    pub revoke_reason: Option<String>,
}

impl ReportRow for TokenReportRow {
    const COLUMNS: &'static [Column] = TOKENS;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Text(self.pool),
            Cell::Text(self.token),
            Cell::Text(self.description),
            Cell::Text(self.created_by),
            Cell::Time(self.created_at),
            Cell::Time(self.expires_at),
            Cell::Number(i64::from(self.uses)),
            self.max_uses
                .map_or(Cell::Empty, |n| Cell::Number(i64::from(n))),
            Cell::text(if self.allow_export_controlled {
                "Allowed"
            } else {
                "Not Allowed"
            }),
            Cell::text(self.state.label()),
            self.revoke_reason.map_or(Cell::Empty, Cell::Text),
        ]
    }
}

/// Event Log: one per event, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct EventReportRow {
    pub at: DateTime<Utc>,
    /// Empty for an account-wide event.
    pub pool: String,
    pub actor: String,
    pub kind: crate::domain::events::EventKind,
    pub message: String,
}

impl ReportRow for EventReportRow {
    const COLUMNS: &'static [Column] = EVENT_LOG;

    fn cells(self) -> Vec<Cell> {
        vec![
            Cell::Time(self.at),
            Cell::Text(self.pool),
            Cell::Text(self.actor),
            Cell::text(self.kind.label()),
            Cell::Text(self.message),
        ]
    }
}

#[cfg(test)]
mod tests;
