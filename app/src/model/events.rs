//! The Event Log's rows, pages and query.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::events::EventKind;

/// One line of the Event Log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: EventKind,
    pub message: String,
}

/// A page of events, newest first; `older` is the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub rows: Vec<EventRow>,
    pub older: Option<i64>,
}

/// What the Event Log asks for (`events/list`): a pool's events, of one kind or all, whose message or
/// actor contains `text`, older than the event `before`.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventQuery {
    /// The virtual account whose log this is (ignored for the account's own log).
    #[serde_as(as = "serde_with::DisplayFromStr")]
    #[serde(default)]
    pub pool: i64,
    /// The smart account's own log: events of no virtual account (users, API keys, satellites,
    /// virtual accounts created or deleted), for account admins.
    #[serde_as(as = "serde_with::DisplayFromStr")]
    #[serde(default)]
    pub account: bool,
    /// Events on or after this day (`YYYY-MM-DD`, UTC; blank: from the first).
    #[serde(default)]
    pub from: String,
    /// Events on or before this day (`YYYY-MM-DD`, UTC; blank: up to now).
    #[serde(default)]
    pub to: String,
    /// A kind's stable name as the filter sends it; blank for every kind.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    #[serde(default)]
    pub before: Option<i64>,
    /// Rows a page (1 to 500; the Event Log's 50 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}
