//! The pages' URLs as types: each page (and each Inventory tab) reads its query string once, into a
//! struct, and every link to it is built from such a struct. Nothing else parses or writes query
//! strings by hand.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

mod inventory;
mod pages;

pub use inventory::{EventsView, GeneralView, InstancesView, LicensesView};
pub use pages::{
    token_devices_href, AlertsView, ApiKeysView, PoolsView, ReportsView, ResolveView,
    SatellitesView, TraditionalView, UsersView,
};

/// Everything but the unreserved characters of RFC 3986 is percent-encoded in a query value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A `data:` URL holding `text` as a file of type `mime`, for a Download link that works without
/// scripts (the text is already on the page; nothing is fetched).
pub fn data_url(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        utf8_percent_encode(text, QUERY_VALUE)
    )
}

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

#[cfg(test)]
mod tests;
