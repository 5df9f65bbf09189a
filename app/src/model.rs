//! Wire types shared by server functions and pages. They compile to wasm; entities never do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

/// The signed-in user and the account they are working in, for the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub smart_account: String,
    pub role: Role,
    /// Virtual accounts the user can see, default first then by name.
    pub pools: Vec<PoolRef>,
    /// Whether the user may create, delete or make default a virtual account.
    pub manages_pools: bool,
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

/// One line of the Event Log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub kind_label: String,
    pub message: String,
}

/// A page of events, newest first; `older` is the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub rows: Vec<EventRow>,
    pub older: Option<i64>,
}
