//! Reports: which reports exist, their columns, the filters they take (parsed from a query string, so
//! that the page and the `/export/…` links read the same thing), and the cell rules of the exports
//! (CSV quoting with formula neutralisation, Excel's sheet size).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows an Excel sheet holds, header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// A report the portal offers. `FullInventory` exists only as an export: every report in one workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportKind {
    Licenses,
    ProductInstances,
    VirtualAccounts,
    LicenseUsage,
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

const INSTANCE_STATUSES: &[(&str, &str)] = &[
    ("authorized", "Authorized"),
    ("out_of_compliance", "Out of Compliance"),
    ("authorization_expired", "Authorization Expired"),
    ("failed_to_connect", "Failed to Connect"),
];
const USAGE_STATUSES: &[(&str, &str)] = &[
    ("authorized", "Authorized"),
    ("out_of_compliance", "Out of Compliance"),
];
const TOKEN_STATUSES: &[(&str, &str)] = &[
    ("active", "Active"),
    ("expired", "Expired"),
    ("revoked", "Revoked"),
    ("exhausted", "Exhausted"),
];
const LICENSE_STATUSES: &[(&str, &str)] = &[
    ("insufficient", "Insufficient Licenses"),
    ("expiring", "Expiring"),
    ("expired", "Expired"),
    ("ok", "No alert"),
];

impl ReportKind {
    /// The reports of the page, in its order (Full Inventory is an export of all of them).
    pub const SINGLE: [ReportKind; 6] = [
        ReportKind::Licenses,
        ReportKind::ProductInstances,
        ReportKind::VirtualAccounts,
        ReportKind::LicenseUsage,
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
            ReportKind::Tokens => "Registration tokens with their use and state.",
            ReportKind::EventLog => "What happened, newest first.",
            ReportKind::FullInventory => "Every report, one sheet each, with a summary sheet.",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ReportKind::Licenses => LICENSES,
            ReportKind::ProductInstances => PRODUCT_INSTANCES,
            ReportKind::VirtualAccounts => VIRTUAL_ACCOUNTS,
            ReportKind::LicenseUsage => LICENSE_USAGE,
            ReportKind::Tokens => TOKENS,
            ReportKind::EventLog => EVENT_LOG,
            ReportKind::FullInventory => &[],
        }
    }

    /// The status filter's choices (`(value, label)`); empty when the report has none.
    pub fn statuses(self) -> &'static [(&'static str, &'static str)] {
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
            ReportKind::Licenses | ReportKind::ProductInstances | ReportKind::LicenseUsage
        )
    }

    /// What the date range filters, if the report has one.
    pub fn date_label(self) -> Option<&'static str> {
        match self {
            ReportKind::ProductInstances => Some("Registered"),
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
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// The filters of a report, as the query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// Virtual accounts (`va=1&va=2`); empty means every one the user sees.
    pub pools: Vec<i64>,
    /// One of the report's `statuses` values.
    pub status: Option<String>,
    /// An entitlement tag.
    pub license: Option<String>,
    /// First day included (UTC).
    pub from: Option<NaiveDate>,
    /// Last day included (UTC).
    pub to: Option<NaiveDate>,
}

/// A filter value that does not parse; `field` is the query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> FilterError {
    FilterError {
        field,
        message: message.into(),
    }
}

impl ReportFilter {
    /// Reads the filters of `kind` from query pairs. Empty values mean "no filter"; `va=all` is all.
    pub fn parse<'a>(
        kind: ReportKind,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ReportFilter, FilterError> {
        let mut filter = ReportFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "va" if value == "all" => {}
                "va" => {
                    let id = value
                        .parse::<i64>()
                        .map_err(|_| bad("va", format!("\"{value}\" is not a virtual account.")))?;
                    if !filter.pools.contains(&id) {
                        filter.pools.push(id);
                    }
                }
                "status" => {
                    let parts = kind.parts();
                    if parts
                        .iter()
                        .any(|k| k.statuses().iter().any(|(v, _)| *v == value))
                    {
                        filter.status = Some(value.to_owned());
                    } else if parts.iter().any(|k| !k.statuses().is_empty()) {
                        return Err(bad(
                            "status",
                            format!("\"{value}\" is not a status of this report."),
                        ));
                    }
                }
                "license" => {
                    if value.chars().count() > 64 {
                        return Err(bad("license", "A license tag is at most 64 characters."));
                    }
                    filter.license = Some(value.to_owned());
                }
                "from" => filter.from = Some(parse_day("from", value)?),
                "to" => filter.to = Some(parse_day("to", value)?),
                _ => {}
            }
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                return Err(bad("to", "The end date is before the start date."));
            }
        }
        Ok(filter)
    }

    /// The filters as query pairs, in the order `parse` reads them.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> =
            self.pools.iter().map(|p| ("va", p.to_string())).collect();
        if let Some(s) = &self.status {
            pairs.push(("status", s.clone()));
        }
        if let Some(l) = &self.license {
            pairs.push(("license", l.clone()));
        }
        if let Some(d) = self.from {
            pairs.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            pairs.push(("to", d.to_string()));
        }
        pairs
    }

    /// The date range as instants: from the start of `from` to before the start of the day after `to`.
    pub fn time_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        (
            self.from.map(start),
            self.to.map(|d| start(d) + Duration::days(1)),
        )
    }
}

fn parse_day(field: &'static str, value: &str) -> Result<NaiveDate, FilterError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| bad(field, format!("\"{value}\" is not a date (YYYY-MM-DD).")))
}

/// A CSV field: text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading apostrophe, and fields with separators or quotes are quoted.
/// Numbers and times are ours, never typed by a user, and are written as they are.
pub fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => {
            let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.clone()
            };
            if neutral.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", neutral.replace('"', "\"\""))
            } else {
                neutral
            }
        }
        other => other.display(),
    }
}

/// One CSV line (CRLF-terminated, as RFC 4180 has it).
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> String {
    let mut line = cells
        .into_iter()
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The name of the `n`th (0-based) sheet of a report that spills over Excel's row limit.
pub fn sheet_name(kind: ReportKind, n: usize) -> String {
    if n == 0 {
        kind.title().to_owned()
    } else {
        format!("{} ({})", kind.title(), n + 1)
    }
}

/// The download's file name: `<account>-<report>-<YYYY-MM-DD>.<ext>`, with anything but letters,
/// digits, `-` and `_` in the account name replaced by `-`.
pub fn file_name(account: &str, kind: ReportKind, day: NaiveDate, ext: &str) -> String {
    let mut safe: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while safe.contains("--") {
        safe = safe.replace("--", "-");
    }
    let safe = safe.trim_matches('-');
    let safe = if safe.is_empty() { "account" } else { safe };
    format!("{safe}-{}-{day}.{ext}", kind.slug())
}

#[cfg(test)]
mod tests;
