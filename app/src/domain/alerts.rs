//! Alerts: what needs a user's attention in the virtual accounts they see, in CSSM's kinds. The rules
//! here decide when a fact becomes an alert, how severe it is, when its action is due and the order
//! the Alerts page lists them in. The services gather the facts with aggregate SQL; the pages link
//! each alert to the place to act.
//!
//! Severities (most severe first):
//! - Major: Insufficient Licenses and Failed to Renew (devices run unlicensed or unauthorized now),
//!   and licenses expiring within 7 days.
//! - Minor: Failed to Connect (a device went silent; its authorization lapses if it stays so),
//!   Licenses Expired (if the licenses are still in use, Insufficient Licenses says so as Major), and
//!   licenses expiring within 30 days.
//! - Informational: licenses expiring within 60 or 90 days, tokens expiring within 7 days.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::licenses::days_until;
use crate::format::date;

mod raise;

use crate::protocol::SYNC_INTERVAL_SECS;
pub use raise::{
    expired, expiring, failed_to_connect, failed_to_renew, insufficient,
    satellite_not_synchronized, shortage_expected, token,
};

/// The days ahead of a license's end at which its "Licenses Expiring" notice steps up.
pub const EXPIRY_NOTICE_DAYS: [i64; 7] = [90, 60, 30, 14, 7, 3, 1];
/// A token expiring within this many days raises "Token Expiring".
pub const TOKEN_NOTICE_DAYS: i64 = 7;
/// Silence after which an instance has failed to connect: it should sync every `SYNC_INTERVAL_SECS`
/// (24 hours) and retries for as long again before its status shows "Failed to Connect" (the same
/// rule as `InstanceStatus::of`).
pub const CONNECT_GRACE_SECS: i64 = 2 * SYNC_INTERVAL_SECS;

/// How urgent an alert is. The order of the variants is the order of the page: Major first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Major,
    Minor,
    Informational,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Major, Severity::Minor, Severity::Informational];

    /// The stable name in the page's `?severity=` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Informational => "informational",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Major => "Major",
            Severity::Minor => "Minor",
            Severity::Informational => "Informational",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// CSSM's alert kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AlertKind {
    InsufficientLicenses,
    InstanceFailedToRenew,
    InstanceFailedToConnect,
    LicensesExpired,
    LicensesExpiring,
    TokenExpiring,
    SatelliteNotSynchronized,
    /// Use is growing towards the active licenses (`domain::forecast`).
    ShortageExpected,
}

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::InsufficientLicenses => "Insufficient Licenses",
            AlertKind::InstanceFailedToConnect => "Product Instance Failed to Connect",
            AlertKind::InstanceFailedToRenew => "Product Instance Failed to Renew",
            AlertKind::LicensesExpiring => "Licenses Expiring",
            AlertKind::LicensesExpired => "Licenses Expired",
            AlertKind::TokenExpiring => "Token Expiring",
            AlertKind::SatelliteNotSynchronized => "Satellite Not Synchronized",
            AlertKind::ShortageExpected => "Shortage Expected",
        }
    }
}

/// What an alert is about, with what the page needs to name it and link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertSource {
    /// A license of the pool; `license_id` is None when the catalogue lacks the tag.
    License {
        license_id: Option<i64>,
        tag: String,
        name: String,
    },
    /// One product instance.
    Instance { id: i64, hostname: String },
    /// Several product instances of the pool: how many, and the hostname of one of them.
    Instances { count: i64, example: String },
    /// A satellite that serves the pool.
    Satellite { id: i64, name: String },
    /// A registration token, shortened as the General tab shows it to everyone.
    Token {
        id: i64,
        token: String,
        description: String,
    },
}

impl AlertSource {
    /// How the Source column names it.
    pub fn label(&self) -> String {
        match self {
            AlertSource::License { name, .. } => name.clone(),
            AlertSource::Instance { hostname, .. } => hostname.clone(),
            AlertSource::Instances { count, .. } => format!("{count} product instances"),
            AlertSource::Token { token, .. } => format!("Token {token}"),
            AlertSource::Satellite { name, .. } => format!("Satellite {name}"),
        }
    }
}

/// One alert of the Alerts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    pub pool_id: i64,
    pub pool: String,
    pub source: AlertSource,
    pub message: String,
    /// When the action is due: now for a shortage, the end for an expiry, the moment it went wrong
    /// for what has already happened.
    pub due: DateTime<Utc>,
    /// The Action Due column: "Now", a date ahead, or "Overdue since" a date.
    pub due_text: String,
}

/// The virtual account an alert is raised in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolName {
    pub id: i64,
    pub name: String,
}

/// Product instances of one pool in the same trouble, as one grouped query finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceGroup {
    pub count: i64,
    /// One of them (the lowest id) and its hostname.
    pub first_id: i64,
    pub first_hostname: String,
    /// The earliest moment among them: the oldest last contact, or the first authorization end.
    pub earliest: DateTime<Utc>,
}

/// The Action Due text of `due` at `now`.
pub fn due_text(kind: AlertKind, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if kind == AlertKind::InsufficientLicenses {
        "Now".to_owned()
    } else if due <= now {
        format!("Overdue since {}", date(due))
    } else {
        date(due)
    }
}

/// The notice an end `end` has reached at `now`: the smallest of `EXPIRY_NOTICE_DAYS` that is not
/// below the whole days left (rounded up, as the Licenses tab counts them). None beyond 90 days, and
/// once the end has passed (then the licenses have expired).
pub fn expiry_notice(end: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    if end <= now {
        return None;
    }
    let days = days_until(end, now);
    EXPIRY_NOTICE_DAYS
        .into_iter()
        .rev()
        .find(|&notice| days <= notice)
}

/// The severity of a "Licenses Expiring" notice: Major within a week, Minor within a month.
pub fn expiring_severity(notice: i64) -> Severity {
    if notice <= 7 {
        Severity::Major
    } else if notice <= 30 {
        Severity::Minor
    } else {
        Severity::Informational
    }
}

/// When a device that talks to the portal, last in touch at `last_contact`, counts as failed to
/// connect (`product_instances.silent_after`).
pub fn silent_after(last_contact: DateTime<Utc>) -> DateTime<Utc> {
    last_contact + Duration::seconds(CONNECT_GRACE_SECS)
}

/// A satellite's devices fail to connect this long after its last synchronisation (CSSM On-Prem's
/// rule), when they were in touch with it then.
pub const SATELLITE_GRACE_DAYS: i64 = 90;

/// When a device behind a satellite counts as failed to connect: 90 days after the sync that reported
/// it in touch, or as a direct device would when it was already silent at that sync.
pub fn silent_after_sync(last_contact: DateTime<Utc>, synced_at: DateTime<Utc>) -> DateTime<Utc> {
    if silent_after(last_contact) >= synced_at {
        synced_at + Duration::days(SATELLITE_GRACE_DAYS)
    } else {
        silent_after(last_contact)
    }
}

/// Whether a live token ending at `end` raises "Token Expiring" at `now`.
pub fn token_expiring(end: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    end > now && end <= now + Duration::days(TOKEN_NOTICE_DAYS)
}

/// The page's order: most severe first, then the action due soonest, then kind, pool and source.
pub fn sort(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        (a.severity, a.due, a.kind, &a.pool, a.source.label()).cmp(&(
            b.severity,
            b.due,
            b.kind,
            &b.pool,
            b.source.label(),
        ))
    });
}

#[cfg(test)]
mod tests;
