//! The Inventory's tabs as URLs: what each tab reads from its query string, and its links.

use super::{href, Query, Tab};
use crate::domain::events::EventKind;
use crate::model::{InstanceSort, LicenseSort, SortDir};
use crate::protocol::InstanceStatus;

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
    /// Only instances in this status (`?status=<code>`).
    pub status: Option<InstanceStatus>,
    /// The cursor of the page shown (the previous page's `next`); None for the first page.
    pub after: Option<String>,
    /// Going back: the cursor of the page after the one shown (its `prev`).
    pub before: Option<String>,
    /// The number of the page shown, 1-based (carried by the links; the cursor decides the rows).
    pub page: u64,
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
            status: InstanceStatus::ALL
                .into_iter()
                .find(|s| s.code() == query.text("status")),
            after: query.value("after").filter(|a| !a.is_empty()),
            before: query.value("before").filter(|b| !b.is_empty()),
            page: query.parsed("page").filter(|&p| p >= 1).unwrap_or(1),
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
        if let Some(status) = self.status {
            pairs.push(("status", status.code().to_owned()));
        }
        pairs.extend([
            ("sort", self.sort.as_str().to_owned()),
            ("dir", self.dir.as_str().to_owned()),
        ]);
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        } else if let Some(before) = &self.before {
            pairs.push(("before", before.clone()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
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

/// An Event Log: a pool's (the Event Log tab) or the account's own (`/events`), with the kind, text
/// and date filters and the cursor of the page shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventsView {
    pub pool: i64,
    /// The account's own log at `/events` (then `pool` is unused).
    pub account: bool,
    pub kind: Option<EventKind>,
    pub q: String,
    /// `YYYY-MM-DD`, as typed (the server checks it).
    pub from: String,
    pub to: String,
    /// Events older than this id (the previous page's cursor).
    pub before: Option<i64>,
}

impl EventsView {
    pub fn of(pool: i64, query: &(impl Query + ?Sized)) -> EventsView {
        EventsView {
            pool,
            account: false,
            kind: EventKind::parse(&query.text("kind")),
            q: query.text("q"),
            from: query.text("from"),
            to: query.text("to"),
            before: query.parsed("before"),
        }
    }

    /// The account's own log as `/events?…` asks for it.
    pub fn of_account(query: &(impl Query + ?Sized)) -> EventsView {
        EventsView {
            account: true,
            ..EventsView::of(0, query)
        }
    }

    pub fn href(&self) -> String {
        let mut pairs = if self.account {
            Vec::new()
        } else {
            Tab::Events.pairs(self.pool)
        };
        pairs.extend([
            (
                "kind",
                self.kind.map(EventKind::as_str).unwrap_or("").to_owned(),
            ),
            ("q", self.q.clone()),
        ]);
        for (key, day) in [("from", &self.from), ("to", &self.to)] {
            if !day.is_empty() {
                pairs.push((key, day.clone()));
            }
        }
        if let Some(before) = self.before {
            pairs.push(("before", before.to_string()));
        }
        href(
            if self.account {
                "/events"
            } else {
                "/inventory"
            },
            &pairs,
        )
    }
}
