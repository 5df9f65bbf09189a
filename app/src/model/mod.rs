//! Wire types shared by server functions and pages: what server functions take (one typed argument
//! struct each) and answer. They compile to wasm; entities never do.

mod api_keys;
mod api_reference;
mod events;
mod instances;
mod licenses;
mod reports;
mod satellites;
mod tokens;
mod users;

pub use api_keys::*;
pub use api_reference::*;
pub use events::*;
pub use instances::*;
pub use licenses::*;
pub use reports::*;
pub use satellites::*;
pub use tokens::*;
pub use users::*;

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

/// The signed-in user and the account they are working in, for the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub smart_account: String,
    pub smart_account_id: i64,
    pub role: Role,
    /// Virtual accounts the user can see, default first then by name.
    pub pools: Vec<PoolRef>,
    /// Whether the user may create, delete or make default a virtual account.
    pub manages_pools: bool,
    /// Whether the user is an account admin (the Users page).
    pub manages_users: bool,
    /// Every smart account the user may work in (several: the header can switch).
    pub accounts: Vec<AccountRef>,
    /// The smart account requires two-factor sign-in and the user has not set it up yet.
    pub must_enrol: bool,
    /// The account has traditional (PAK) licenses (the navigation links their page).
    pub has_traditional: bool,
}

impl Me {
    /// The pool with `id`, or the default one, or the first one the user sees.
    pub fn pick_pool(&self, id: Option<i64>) -> Option<&PoolRef> {
        id.and_then(|id| self.pools.iter().find(|p| p.id == id))
            .or_else(|| self.pools.iter().find(|p| p.is_default))
            .or_else(|| self.pools.first())
    }
}

/// A virtual account as a selector shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRef {
    pub id: i64,
    pub name: String,
    pub is_default: bool,
    /// Whether the user may change what the pool holds.
    pub can_change: bool,
}

/// A row of the Virtual Accounts page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Active licenses (sum of lot quantities that count today).
    pub licenses: i64,
    pub tokens: i64,
    pub instances: i64,
    pub can_change: bool,
}

/// Reads an order or direction leniently: a value that names none (or none at all) is the default,
/// as it is in the page's URL, so an old link or a typo sorts by the first column instead of failing.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr + Default,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.and_then(|r| r.parse().ok()).unwrap_or_default())
}

/// A sort direction (`?dir=`, and the list queries' `dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl std::str::FromStr for SortDir {
    type Err = ();

    fn from_str(s: &str) -> Result<SortDir, ()> {
        SortDir::parse(s).ok_or(())
    }
}

impl SortDir {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    pub fn parse(s: &str) -> Option<SortDir> {
        match s {
            "asc" => Some(SortDir::Asc),
            "desc" => Some(SortDir::Desc),
            _ => None,
        }
    }

    pub fn is_desc(self) -> bool {
        self == SortDir::Desc
    }

    pub fn reversed(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortDir::Asc => "Ascending",
            SortDir::Desc => "Descending",
        }
    }
}

/// The name and description a virtual account form sends (`pools/create`, `pools/update`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PoolForm {
    /// The pool to change (`pools/update` only).
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub description: String,
}

/// What the sign-in form sends.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    /// Never the password, whatever logs the value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What the Alerts page asks for (`alerts/list`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertQuery {
    /// One virtual account, or every one the user sees.
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    #[serde(default)]
    pub pool: Option<i64>,
    /// A severity's stable name as the filter sends it; blank for all.
    #[serde(default)]
    pub severity: String,
}
