//! The other pages' URLs: Virtual Accounts, Reports and Alerts.

use super::{href, Query};
use crate::domain::alerts::Severity;
use crate::domain::reports::{ReportKind, ReportStatus};

/// The Virtual Accounts page: `?edit=<id>` opens a row's form, `?delete=<id>` asks to confirm a
/// deletion, `?created=<name>` says what was just created (without JavaScript).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolsView {
    pub edit: Option<i64>,
    pub delete: Option<i64>,
    pub created: Option<String>,
}

impl PoolsView {
    pub fn of(query: &(impl Query + ?Sized)) -> PoolsView {
        PoolsView {
            edit: query.parsed("edit"),
            delete: query.parsed("delete"),
            created: query.value("created").filter(|c| !c.is_empty()),
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(id) = self.edit {
            pairs.push(("edit", id.to_string()));
        }
        if let Some(id) = self.delete {
            pairs.push(("delete", id.to_string()));
        }
        if let Some(name) = &self.created {
            pairs.push(("created", name.clone()));
        }
        href("/virtual-accounts", &pairs)
    }
}

/// The Reports page's form as the URL holds it: the report, and its filters as typed (the server
/// parses them into a `ReportFilter` and names the one that is wrong, so a wrong value stays in its
/// field to be corrected).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportsView {
    pub report: ReportKind,
    /// The virtual accounts ticked (`va=1&va=2`).
    pub pools: Vec<String>,
    pub status: Option<ReportStatus>,
    pub license: String,
    pub from: String,
    pub to: String,
}

impl ReportsView {
    pub fn of(query: &(impl Query + ?Sized)) -> ReportsView {
        ReportsView {
            report: ReportKind::parse(&query.text("report"))
                .filter(|k| *k != ReportKind::FullInventory)
                .unwrap_or_default(),
            pools: query.values("va"),
            status: ReportStatus::parse(&query.text("status")),
            license: query.text("license"),
            from: query.text("from"),
            to: query.text("to"),
        }
    }
}

/// The Alerts page: one virtual account or all, one severity or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertsView {
    pub pool: Option<i64>,
    pub severity: Option<Severity>,
}

impl AlertsView {
    pub fn of(query: &(impl Query + ?Sized)) -> AlertsView {
        AlertsView {
            pool: query.parsed("va"),
            severity: Severity::parse(&query.text("severity")),
        }
    }
}
