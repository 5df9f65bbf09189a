//! When a fact becomes an alert: one function per kind, each with its severity, message and due date.

use chrono::{DateTime, Duration, Utc};

use super::{
    due_text, expiring_severity, expiry_notice, token_expiring, Alert, AlertKind, AlertSource,
    InstanceGroup, PoolName, Severity, CONNECT_GRACE_SECS,
};
use crate::domain::error::plural;
use crate::domain::licenses::days_until;
use crate::format::{date, minute};

fn alert(
    kind: AlertKind,
    severity: Severity,
    pool: &PoolName,
    source: AlertSource,
    message: String,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Alert {
    Alert {
        kind,
        severity,
        pool_id: pool.id,
        pool: pool.name.clone(),
        source,
        message,
        due,
        due_text: due_text(kind, due, now),
    }
}

/// "Insufficient Licenses" when the pool uses more of the license than its active lots hold.
pub fn insufficient(
    pool: &PoolName,
    license: AlertSource,
    active: i64,
    in_use: i64,
    now: DateTime<Utc>,
) -> Option<Alert> {
    (in_use > active).then(|| {
        let message = format!(
            "{in_use} in use, {active} purchased: {} short. The instances using it are out of compliance.",
            in_use - active
        );
        alert(
            AlertKind::InsufficientLicenses,
            Severity::Major,
            pool,
            license,
            message,
            now,
            now,
        )
    })
}

/// "Licenses Expiring" when the nearest end of the license's active term lots has reached a notice.
pub fn expiring(
    pool: &PoolName,
    license: AlertSource,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let notice = expiry_notice(end, now)?;
    let days = days_until(end, now);
    let message = format!(
        "Licenses end on {} (in {}; {notice}-day notice).",
        date(end),
        plural(days, "day", "days")
    );
    Some(alert(
        AlertKind::LicensesExpiring,
        expiring_severity(notice),
        pool,
        license,
        message,
        end,
        now,
    ))
}

/// "Licenses Expired" when every lot of the license in the pool has ended (the Licenses tab's
/// "Expired" mark); due since the last end.
pub fn expired(
    pool: &PoolName,
    license: AlertSource,
    last_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Alert {
    let message = format!(
        "Every lot of this license has ended, the last on {}.",
        date(last_end)
    );
    alert(
        AlertKind::LicensesExpired,
        Severity::Minor,
        pool,
        license,
        message,
        last_end,
        now,
    )
}

fn instances_source(group: &InstanceGroup) -> AlertSource {
    if group.count == 1 {
        AlertSource::Instance {
            id: group.first_id,
            hostname: group.first_hostname.clone(),
        }
    } else {
        AlertSource::Instances {
            count: group.count,
            example: group.first_hostname.clone(),
        }
    }
}

/// "Product Instance Failed to Connect" for the pool's instances that went silent (48 hours without
/// contact, or 90 days without their satellite's sync); `group.earliest` is when the first went
/// silent, and the alert is due from then.
pub fn failed_to_connect(pool: &PoolName, group: &InstanceGroup, now: DateTime<Utc>) -> Alert {
    let message = if group.count == 1 {
        format!(
            "Silent since {}: it has not synchronized within {} hours (90 days behind a satellite).",
            minute(group.earliest),
            CONNECT_GRACE_SECS / 3600
        )
    } else {
        format!(
            "{} (such as {}) have not synchronized within {} hours (90 days behind a satellite); the first went silent on {}.",
            plural(group.count, "product instance", "product instances"),
            group.first_hostname,
            CONNECT_GRACE_SECS / 3600,
            minute(group.earliest)
        )
    };
    alert(
        AlertKind::InstanceFailedToConnect,
        Severity::Minor,
        pool,
        instances_source(group),
        message,
        group.earliest,
        now,
    )
}

/// "Product Instance Failed to Renew" for the pool's instances whose authorization has expired (and
/// that are not silent: those are "Failed to Connect"); `group.earliest` is the first end.
pub fn failed_to_renew(pool: &PoolName, group: &InstanceGroup, now: DateTime<Utc>) -> Alert {
    let message = if group.count == 1 {
        format!(
            "Its authorization expired on {} and was not renewed.",
            minute(group.earliest)
        )
    } else {
        format!(
            "{} (such as {}) have an expired authorization; the first expired on {}.",
            plural(group.count, "product instance", "product instances"),
            group.first_hostname,
            minute(group.earliest)
        )
    };
    alert(
        AlertKind::InstanceFailedToRenew,
        Severity::Major,
        pool,
        instances_source(group),
        message,
        group.earliest,
        now,
    )
}

/// "Token Expiring" for a live token ending within `TOKEN_NOTICE_DAYS`.
pub fn token(
    pool: &PoolName,
    token: AlertSource,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Alert> {
    token_expiring(end, now).then(|| {
        let message = format!(
            "Expires on {} (in {}); devices can no longer register with it after that.",
            minute(end),
            plural(days_until(end, now), "day", "days")
        );
        alert(
            AlertKind::TokenExpiring,
            Severity::Informational,
            pool,
            token,
            message,
            end,
            now,
        )
    })
}

/// "Satellite Not Synchronized": no sync for over 30 days (`last_sync`; the registration when it
/// never synchronised). After 90 days its devices also show as failed to connect.
pub fn satellite_not_synchronized(
    pool: &PoolName,
    source: AlertSource,
    last_sync: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let since = last_sync.unwrap_or(created);
    let due = since + Duration::days(crate::domain::satellites::OUT_OF_SYNC_DAYS);
    if now <= due {
        return None;
    }
    let message = match last_sync {
        Some(at) => format!(
            "Not synchronized since {}: its devices show as failed to connect {} days after it.",
            minute(at),
            super::SATELLITE_GRACE_DAYS
        ),
        None => format!(
            "Registered on {} and never synchronized: set it up with its registration file.",
            minute(created)
        ),
    };
    Some(alert(
        AlertKind::SatelliteNotSynchronized,
        Severity::Major,
        pool,
        source,
        message,
        due,
        now,
    ))
}

/// "Shortage Expected" (Informational): the forecast says use will exceed the active licenses on
/// `on`; due then.
pub fn shortage_expected(
    pool: &PoolName,
    source: AlertSource,
    on: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Alert {
    let days = days_until(on, now).max(1);
    let message = format!(
        "At the growth in use of the last 30 to 90 days, use exceeds the active licenses in ~{} (on {}). Transfer or buy before then.",
        plural(days, "day", "days"),
        date(on)
    );
    alert(
        AlertKind::ShortageExpected,
        Severity::Informational,
        pool,
        source,
        message,
        on,
        now,
    )
}
