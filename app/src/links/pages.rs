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

    pub fn href(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(pool) = self.pool {
            pairs.push(("va", pool.to_string()));
        }
        if let Some(severity) = self.severity {
            pairs.push(("severity", severity.as_str().to_owned()));
        }
        super::href("/alerts", &pairs)
    }
}

/// The Users page (`/users`): the list's filter, sort and page, and which row is open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsersView {
    pub q: String,
    pub sort: crate::model::UserSort,
    pub dir: crate::model::SortDir,
    pub page: u64,
    /// "Add User…" is open.
    pub add: bool,
    pub edit: Option<i64>,
    pub reset: Option<i64>,
    pub remove: Option<i64>,
}

impl UsersView {
    pub fn of(query: &(impl Query + ?Sized)) -> UsersView {
        UsersView {
            q: query.text("q"),
            sort: query.parsed("sort").unwrap_or_default(),
            dir: query.parsed("dir").unwrap_or_default(),
            page: query.parsed("page").unwrap_or(0),
            add: query.value("add").is_some(),
            edit: query.parsed("edit"),
            reset: query.parsed("reset"),
            remove: query.parsed("remove"),
        }
    }

    /// The list's query for `users/list`.
    pub fn list(&self) -> crate::model::UserQuery {
        crate::model::UserQuery {
            q: self.q.clone(),
            sort: self.sort,
            dir: self.dir,
            page: self.page,
        }
    }

    /// The same list, with nothing open.
    pub fn list_only(&self) -> UsersView {
        UsersView {
            q: self.q.clone(),
            sort: self.sort,
            dir: self.dir,
            page: self.page,
            ..UsersView::default()
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if self.sort != crate::model::UserSort::default() {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.dir != crate::model::SortDir::default() {
            pairs.push(("dir", self.dir.as_str().to_owned()));
        }
        if self.page > 0 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.add {
            pairs.push(("add", "1".to_owned()));
        }
        for (key, id) in [
            ("edit", self.edit),
            ("reset", self.reset),
            ("remove", self.remove),
        ] {
            if let Some(id) = id {
                pairs.push((key, id.to_string()));
            }
        }
        super::href("/users", &pairs)
    }
}

/// The API Keys page (`/api-keys`): "New API Key…" open (`?new`), or a revocation being confirmed
/// (`?revoke=<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiKeysView {
    pub new: bool,
    pub revoke: Option<i64>,
}

impl ApiKeysView {
    pub fn of(query: &(impl Query + ?Sized)) -> ApiKeysView {
        ApiKeysView {
            new: query.value("new").is_some(),
            revoke: query.parsed("revoke"),
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Vec::new();
        if self.new {
            pairs.push(("new", "1".to_owned()));
        }
        if let Some(id) = self.revoke {
            pairs.push(("revoke", id.to_string()));
        }
        super::href("/api-keys", &pairs)
    }
}

/// The Satellites page (`/satellites`): "New Satellite…" (`?new`) or "Upload Sync File…" (`?upload`)
/// open, with the upload's refusal (`?error=`) when it came back refused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SatellitesView {
    pub new: bool,
    pub upload: bool,
    pub error: Option<String>,
}

impl SatellitesView {
    pub fn of(query: &(impl Query + ?Sized)) -> SatellitesView {
        SatellitesView {
            new: query.value("new").is_some(),
            upload: query.value("upload").is_some(),
            error: query.value("error").filter(|e| !e.is_empty()),
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Vec::new();
        if self.new {
            pairs.push(("new", "1".to_owned()));
        }
        if self.upload {
            pairs.push(("upload", "1".to_owned()));
        }
        if let Some(e) = &self.error {
            pairs.push(("error", e.clone()));
        }
        super::href("/satellites", &pairs)
    }
}

/// The Traditional Licenses page (`/traditional-licenses`): a conversion being confirmed
/// (`?convert=<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraditionalView {
    pub convert: Option<i64>,
}

impl TraditionalView {
    pub fn of(query: &(impl Query + ?Sized)) -> TraditionalView {
        TraditionalView {
            convert: query.parsed("convert"),
        }
    }

    pub fn href(&self) -> String {
        match self.convert {
            Some(id) => super::href("/traditional-licenses", &[("convert", id.to_string())]),
            None => "/traditional-licenses".to_owned(),
        }
    }
}

/// The Resolve Shortages page (`/resolve-shortages`): after "Apply", how many transfers ran
/// (`?applied=<n>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolveView {
    pub applied: Option<usize>,
}

impl ResolveView {
    pub fn of(query: &(impl Query + ?Sized)) -> ResolveView {
        ResolveView {
            applied: query.parsed("applied"),
        }
    }

    pub fn href(&self) -> String {
        match self.applied {
            Some(n) => super::href("/resolve-shortages", &[("applied", n.to_string())]),
            None => "/resolve-shortages".to_owned(),
        }
    }
}

/// The token misuse view of token `id` (`/tokens/<id>`).
pub fn token_devices_href(id: i64) -> String {
    format!("/tokens/{id}")
}
