//! Satellites: on-premises portals that serve some virtual accounts to devices that cannot reach this
//! one. Their states, the sync files' shapes and the rules a file must pass, as plain types.
//!
//! A sync file is an envelope around a payload: `{"format", "version", "kind", "payload",
//! "signature"}`, where `payload` is the base64 of the payload's JSON bytes and `signature` the
//! ed25519 signature of those bytes by the sender (the portal's key, pinned by the satellite when it
//! registers; the satellite's key, pinned by the portal at its first sync). Signing the bytes as sent
//! needs no canonical JSON, and a changed byte anywhere breaks the signature.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;

/// The envelope's `format`.
pub const FORMAT: &str = "licensing-portal-sync";
/// The envelope's `version`; a reader refuses another.
pub const VERSION: u32 = 1;
/// A satellite is "Out of Sync", and raises "Satellite Not Synchronized", after this long.
pub const OUT_OF_SYNC_DAYS: i64 = 30;
/// How often a satellite in network mode synchronises by default.
pub const DEFAULT_SYNC_INTERVAL_SECS: i64 = 86_400;

/// What a file carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Portal → satellite, once: who the satellite is and the portal's key.
    Registration,
    /// Satellite → portal: its devices, their usage and events.
    Up,
    /// Portal → satellite: licenses and tokens of its virtual accounts.
    Down,
}

impl FileKind {
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Registration => "registration file",
            FileKind::Up => "satellite's sync file",
            FileKind::Down => "portal's response file",
        }
    }
}

/// A sync file, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub version: u32,
    pub kind: FileKind,
    /// Base64 of the payload's JSON bytes.
    pub payload: String,
    /// Base64 of the sender's ed25519 signature of the payload's bytes.
    pub signature: String,
}

/// How a satellite reaches the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SatelliteMode {
    /// It calls the portal over HTTPS on a schedule and on "Synchronize Now".
    Network,
    /// Air-gapped: files carried by hand (`export-sync`, "Upload Sync File…", `import-sync`).
    Offline,
}

impl SatelliteMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SatelliteMode::Network => "network",
            SatelliteMode::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<SatelliteMode> {
        match s {
            "network" => Some(SatelliteMode::Network),
            "offline" => Some(SatelliteMode::Offline),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SatelliteMode::Network => "Network",
            SatelliteMode::Offline => "Air-gapped",
        }
    }
}

/// Where a satellite stands, as the Satellites page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SatelliteState {
    /// Made in the portal; it has not synchronised yet.
    Registered,
    /// Synchronised within its interval.
    Synchronized,
    /// Its interval has passed without a sync.
    Due,
    /// No sync for over 30 days.
    OutOfSync,
}

impl SatelliteState {
    /// The state at `now` of a satellite last synchronised at `last_sync` (None: never) that syncs
    /// every `interval`; an air-gapped one is due after the same interval.
    pub fn of(
        last_sync: Option<DateTime<Utc>>,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> SatelliteState {
        match last_sync {
            None => SatelliteState::Registered,
            Some(at) if now - at > Duration::days(OUT_OF_SYNC_DAYS) => SatelliteState::OutOfSync,
            // An hour of slack: a daily sync that runs a little late is not yet due.
            Some(at) if now - at > interval + Duration::hours(1) => SatelliteState::Due,
            Some(_) => SatelliteState::Synchronized,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SatelliteState::Registered => "Registered",
            SatelliteState::Synchronized => "Synchronized",
            SatelliteState::Due => "Due",
            SatelliteState::OutOfSync => "Out of Sync",
        }
    }
}

/// Portal → satellite, once (the registration file or token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub satellite_id: i64,
    pub name: String,
    pub account: String,
    /// The portal's address as the admin's browser saw it (network mode calls it).
    pub portal_url: String,
    /// Base64 of the portal's ed25519 public key; the satellite pins it.
    pub portal_public_key: String,
    /// One-time: the satellite's first sync proves with it that it holds this file.
    pub secret: String,
    pub pools: Vec<String>,
}

/// A device as the satellite knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatelliteInstance {
    /// Its id on the satellite.
    pub id: i64,
    /// The virtual account (the portal's id).
    pub pool: i64,
    pub pid: String,
    pub sn: String,
    pub hostname: String,
    pub product: String,
    pub software_version: Option<String>,
    /// The token it registered with (the portal's id), if still known.
    pub token_id: Option<i64>,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub id_cert_serial: String,
    pub id_cert_expires_at: DateTime<Utc>,
    pub auth_expires_at: Option<DateTime<Utc>>,
    /// Tag and count.
    pub usage: Vec<(String, i64)>,
}

/// An event of the satellite, for the portal's Event Log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatelliteEvent {
    /// Its id on the satellite: the portal takes each once.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub pool: Option<i64>,
    pub actor: String,
    /// The kind's stable name.
    pub kind: String,
    pub message: String,
    /// The device it is about (its id on the satellite).
    pub instance: Option<i64>,
}

/// Satellite → portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpPayload {
    pub satellite_id: i64,
    /// 1, 2, 3, …: one more for each file the satellite writes.
    pub seq: i64,
    pub generated_at: DateTime<Utc>,
    pub mode: SatelliteMode,
    /// Base64 of the satellite's ed25519 public key (the portal pins it at the first sync).
    pub public_key: String,
    /// The registration's secret, until the portal has answered a sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The last response file (its `seq`) the satellite applied.
    pub applied_down_seq: i64,
    /// Every device registered through the satellite, as it is now.
    pub instances: Vec<SatelliteInstance>,
    /// Registrations made on the satellite per token (portal token id → count, all time).
    pub token_uses: Vec<(i64, i64)>,
    /// Events after the last one the portal acknowledged.
    pub events: Vec<SatelliteEvent>,
}

/// A lot of a license, as the satellite needs it to count active licenses between syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownLot {
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// A license of a virtual account the satellite serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownLicense {
    pub tag: String,
    pub name: String,
    pub product_family: String,
    pub lots: Vec<DownLot>,
    /// In use by devices the satellite does not serve (the portal's own, other satellites').
    pub in_use_elsewhere: i64,
}

/// A registration token of a virtual account the satellite serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownToken {
    pub id: i64,
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub max_uses: Option<i32>,
    /// Uses made elsewhere than on this satellite.
    pub uses_elsewhere: i64,
    pub allow_export_controlled: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownPool {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub licenses: Vec<DownLicense>,
    pub tokens: Vec<DownToken>,
}

/// Portal → satellite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownPayload {
    pub satellite_id: i64,
    /// 1, 2, 3, …: one more for each response the portal writes to this satellite.
    pub seq: i64,
    /// The satellite's file it answers.
    pub in_reply_to: i64,
    pub generated_at: DateTime<Utc>,
    pub account_id: i64,
    pub account: String,
    pub pools: Vec<DownPool>,
    /// The portal has taken the satellite's events up to this id.
    pub events_acknowledged: i64,
    pub sync_interval_secs: i64,
}

/// Why a sync file is refused. The messages say what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SyncRefusal {
    #[error("This is not a sync file of the licensing portal (it does not read as one).")]
    Malformed,
    #[error("This file is of version {0}; this portal reads version 1. Use the same version of the portal on both sides.")]
    Version(u32),
    #[error("This is a {got}, not a {wanted}.")]
    WrongKind { got: String, wanted: String },
    #[error("This file belongs to another satellite or smart account (satellite {0}); it was not applied.")]
    Foreign(i64),
    #[error("The file's signature does not match its content: it was changed after it was written, or it was not written by the expected side. Nothing was applied.")]
    Tampered,
    #[error("This file (number {got}) is older than the last one applied (number {last}); export a new one.")]
    Stale { got: i64, last: i64 },
    #[error("The satellite's first sync must carry its registration secret; register it again with a new registration file.")]
    NotRegistered,
}

/// Where an incoming file's number stands against the last one applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequence {
    /// Newer: apply it.
    New,
    /// The same file again: nothing changes.
    Repeat,
}

/// The sequence rule of both sides: newer applies, the same is a no-op, older is refused as stale.
pub fn check_sequence(got: i64, last: i64) -> Result<Sequence, SyncRefusal> {
    match got.cmp(&last) {
        std::cmp::Ordering::Greater => Ok(Sequence::New),
        std::cmp::Ordering::Equal => Ok(Sequence::Repeat),
        std::cmp::Ordering::Less => Err(SyncRefusal::Stale { got, last }),
    }
}

/// A satellite's name: trimmed, 1 to 64 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    crate::domain::names::PoolName::parse("name", raw).map(|n| n.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_files_apply_the_same_is_a_no_op_and_older_are_stale() {
        assert_eq!(check_sequence(3, 2), Ok(Sequence::New));
        assert_eq!(check_sequence(2, 2), Ok(Sequence::Repeat));
        assert_eq!(
            check_sequence(1, 2),
            Err(SyncRefusal::Stale { got: 1, last: 2 })
        );
        assert_eq!(check_sequence(1, 0), Ok(Sequence::New));
    }

    #[test]
    fn a_satellite_is_due_after_its_interval_and_out_of_sync_after_30_days() {
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let day = Duration::days(1);
        assert_eq!(
            SatelliteState::of(None, day, now),
            SatelliteState::Registered
        );
        assert_eq!(
            SatelliteState::of(Some(now - Duration::hours(3)), day, now),
            SatelliteState::Synchronized
        );
        assert_eq!(
            SatelliteState::of(Some(now - Duration::hours(24)), day, now),
            SatelliteState::Synchronized
        );
        assert_eq!(
            SatelliteState::of(Some(now - Duration::hours(26)), day, now),
            SatelliteState::Due
        );
        assert_eq!(
            SatelliteState::of(Some(now - Duration::days(30)), day, now),
            SatelliteState::Due
        );
        assert_eq!(
            SatelliteState::of(
                Some(now - Duration::days(30) - Duration::seconds(1)),
                day,
                now
            ),
            SatelliteState::OutOfSync
        );
    }

    #[test]
    fn refusals_say_what_happened() {
        assert!(SyncRefusal::Stale { got: 3, last: 5 }
            .to_string()
            .contains("older"));
        assert!(SyncRefusal::Tampered.to_string().contains("changed"));
        assert!(SyncRefusal::Foreign(7)
            .to_string()
            .contains("another satellite"));
    }
}
