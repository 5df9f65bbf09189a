//! The pages' URLs as types: each page (and each Inventory tab) reads its query string once, into a
//! struct, and every link to it is built from such a struct. Nothing else parses or writes query
//! strings by hand.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::alerts::Severity;
use crate::domain::events::EventKind;
use crate::domain::reports::{ReportKind, ReportStatus};
use crate::model::{InstanceSort, LicenseSort, SortDir};

/// Everything but the unreserved characters of RFC 3986 is percent-encoded in a query value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `path?k=v&…` with the values percent-encoded.
pub fn href(path: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// A query string's values by name, as a page reads them (`use_query_map`, or a test's pairs).
pub trait Query {
    fn value(&self, key: &str) -> Option<String>;

    /// Every value of a repeated key (`va=1&va=2`).
    fn values(&self, key: &str) -> Vec<String>;

    /// The value parsed, or None when absent, empty or not of its type.
    fn parsed<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.value(key).and_then(|v| v.trim().parse().ok())
    }

    /// The value, or "" when absent.
    fn text(&self, key: &str) -> String {
        self.value(key).unwrap_or_default()
    }
}

impl Query for leptos_router::params::ParamsMap {
    fn value(&self, key: &str) -> Option<String> {
        self.get(key)
    }

    fn values(&self, key: &str) -> Vec<String> {
        self.get_all(key).unwrap_or_default()
    }
}

impl Query for [(&str, &str)] {
    fn value(&self, key: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    }

    fn values(&self, key: &str) -> Vec<String> {
        self.iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
            .collect()
    }
}

/// The Inventory's tabs (`?tab=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tab {
    #[default]
    General,
    Licenses,
    Instances,
    Events,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::General, Tab::Licenses, Tab::Instances, Tab::Events];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::General => "general",
            Tab::Licenses => "licenses",
            Tab::Instances => "instances",
            Tab::Events => "events",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::General => "General",
            Tab::Licenses => "Licenses",
            Tab::Instances => "Product Instances",
            Tab::Events => "Event Log",
        }
    }

    /// The tab named by `?tab=`, or General.
    pub fn of(query: &(impl Query + ?Sized)) -> Tab {
        let slug = query.text("tab");
        Tab::ALL
            .into_iter()
            .find(|t| t.slug() == slug)
            .unwrap_or_default()
    }

    /// The tab of the pool, with nothing else asked.
    pub fn href(self, pool: i64) -> String {
        href("/inventory", &self.pairs(pool))
    }

    fn pairs(self, pool: i64) -> Vec<(&'static str, String)> {
        vec![("va", pool.to_string()), ("tab", self.slug().to_owned())]
    }
}

/// A pool's Inventory, on the tab it opens with.
pub fn pool_href(pool: i64) -> String {
    href("/inventory", &[("va", pool.to_string())])
}

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

/// The General tab: `?new_token=1` opens the New Token form, `?revoke=<id>` the reason of a
/// revocation, `?delete_token=<id>` the confirmation of a deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GeneralView {
    pub pool: i64,
    pub new_token: bool,
    pub revoke: Option<i64>,
    pub delete_token: Option<i64>,
}

impl GeneralView {
    pub fn of(pool: i64, query: &(impl Query + ?Sized)) -> GeneralView {
        GeneralView {
            pool,
            new_token: query.text("new_token") == "1",
            revoke: query.parsed("revoke"),
            delete_token: query.parsed("delete_token"),
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Tab::General.pairs(self.pool);
        if self.new_token {
            pairs.push(("new_token", "1".to_owned()));
        }
        if let Some(id) = self.revoke {
            pairs.push(("revoke", id.to_string()));
        }
        if let Some(id) = self.delete_token {
            pairs.push(("delete_token", id.to_string()));
        }
        href("/inventory", &pairs)
    }
}

/// The Licenses tab: the list's search, order and page; `?license=<id>` shows one license,
/// `?transfer=<id>` opens a license's transfer form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LicensesView {
    pub pool: i64,
    pub q: String,
    pub sort: LicenseSort,
    pub dir: SortDir,
    /// 1-based.
    pub page: u64,
    pub license: Option<i64>,
    pub transfer: Option<i64>,
}

impl LicensesView {
    pub fn of(pool: i64, query: &(impl Query + ?Sized)) -> LicensesView {
        LicensesView {
            pool,
            q: query.text("q"),
            sort: LicenseSort::parse(&query.text("sort")).unwrap_or_default(),
            dir: SortDir::parse(&query.text("dir")).unwrap_or_default(),
            page: query.parsed("page").unwrap_or(1),
            license: query.parsed("license"),
            transfer: query.parsed("transfer"),
        }
    }

    /// The list as it stands (search, order, page), for hidden inputs and links.
    pub fn list_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Tab::Licenses.pairs(self.pool);
        pairs.extend([
            ("q", self.q.clone()),
            ("sort", self.sort.as_str().to_owned()),
            ("dir", self.dir.as_str().to_owned()),
            ("page", self.page.to_string()),
        ]);
        pairs
    }

    /// The list with these parameters.
    pub fn list_href(&self) -> String {
        href("/inventory", &self.list_pairs())
    }

    /// One license of the pool in detail, for hidden inputs.
    pub fn license_pairs(pool: i64, license: i64) -> Vec<(&'static str, String)> {
        let mut pairs = Tab::Licenses.pairs(pool);
        pairs.push(("license", license.to_string()));
        pairs
    }

    /// One license of the pool in detail.
    pub fn license_href(pool: i64, license: i64) -> String {
        href("/inventory", &LicensesView::license_pairs(pool, license))
    }

    /// The list searched for `q` (from elsewhere, such as an alert).
    pub fn search_href(pool: i64, q: &str) -> String {
        let mut pairs = Tab::Licenses.pairs(pool);
        pairs.push(("q", q.to_owned()));
        href("/inventory", &pairs)
    }
}

/// The Product Instances tab: search, order and cursor of the list; `?instance=<id>` shows one
/// instance (`&transfer=1` opens its transfer form); `?remove=<id>` asks to confirm a removal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstancesView {
    pub pool: i64,
    pub q: String,
    pub sort: InstanceSort,
    /// The order's own first direction when the URL names none.
    pub dir: SortDir,
    /// The cursor of the page shown (the previous page's `next`); None for the first page.
    pub after: Option<String>,
    pub instance: Option<i64>,
    pub transfer: bool,
    pub remove: Option<i64>,
}

impl InstancesView {
    pub fn of(pool: i64, query: &(impl Query + ?Sized)) -> InstancesView {
        let sort = InstanceSort::parse(&query.text("sort")).unwrap_or_default();
        InstancesView {
            pool,
            q: query.text("q"),
            sort,
            dir: SortDir::parse(&query.text("dir")).unwrap_or(sort.first_dir()),
            after: query.value("after").filter(|a| !a.is_empty()),
            instance: query.parsed("instance"),
            transfer: query.text("transfer") == "1",
            remove: query.parsed("remove"),
        }
    }

    /// The list with these parameters (no search: no `q`).
    pub fn list_href(&self) -> String {
        let mut pairs = Tab::Instances.pairs(self.pool);
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        pairs.extend([
            ("sort", self.sort.as_str().to_owned()),
            ("dir", self.dir.as_str().to_owned()),
        ]);
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        href("/inventory", &pairs)
    }

    /// The list sorted by `sort` in `dir` (the silent ones first, for an alert).
    pub fn sorted_href(pool: i64, sort: InstanceSort, dir: SortDir) -> String {
        InstancesView {
            pool,
            sort,
            dir,
            ..InstancesView::default()
        }
        .list_href()
    }

    /// One instance in detail, its transfer form open or not.
    pub fn instance_href(pool: i64, id: i64, transfer: bool) -> String {
        let mut pairs = Tab::Instances.pairs(pool);
        pairs.push(("instance", id.to_string()));
        if transfer {
            pairs.push(("transfer", "1".to_owned()));
        }
        href("/inventory", &pairs)
    }

    /// The confirmation of a removal, above the list.
    pub fn remove_href(pool: i64, id: i64) -> String {
        let mut pairs = Tab::Instances.pairs(pool);
        pairs.push(("remove", id.to_string()));
        href("/inventory", &pairs)
    }
}

/// The Event Log tab: the kind and text filters and the cursor of the page shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventsView {
    pub pool: i64,
    pub kind: Option<EventKind>,
    pub q: String,
    /// Events older than this id (the previous page's cursor).
    pub before: Option<i64>,
}

impl EventsView {
    pub fn of(pool: i64, query: &(impl Query + ?Sized)) -> EventsView {
        EventsView {
            pool,
            kind: EventKind::parse(&query.text("kind")),
            q: query.text("q"),
            before: query.parsed("before"),
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = Tab::Events.pairs(self.pool);
        pairs.extend([
            (
                "kind",
                self.kind.map(EventKind::as_str).unwrap_or("").to_owned(),
            ),
            ("q", self.q.clone()),
        ]);
        if let Some(before) = self.before {
            pairs.push(("before", before.to_string()));
        }
        href("/inventory", &pairs)
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

#[cfg(test)]
mod tests;
