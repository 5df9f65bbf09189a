//! Satellites as the Satellites page shows them, what its forms send, and traditional licenses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::satellites::SatelliteState;

/// A satellite in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SatelliteRow {
    pub id: i64,
    pub name: String,
    pub pools: Vec<String>,
    /// "Network", "Air-gapped", or "—" before its first sync.
    pub mode: String,
    pub created_at: DateTime<Utc>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub state: SatelliteState,
    /// Product instances registered through it.
    pub instances: i64,
}

/// The Satellites page: the account's satellites and the virtual accounts the form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SatelliteList {
    pub satellites: Vec<SatelliteRow>,
    pub pools: Vec<(i64, String)>,
}

/// A satellite just made: its registration file, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedSatellite {
    pub row: SatelliteRow,
    /// The registration file's text (JSON), for `server satellite init --registration FILE`.
    pub registration: String,
    /// This portal's address as the satellite reaches it (`--upstream`).
    pub portal_url: String,
}

/// The New Satellite form (`satellites/create`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewSatelliteForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    #[serde_as(as = "Vec<serde_with::DisplayFromStr>")]
    pub pools: Vec<i64>,
}

/// A traditional (PAK) license as the Traditional Licenses page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraditionalRow {
    pub id: i64,
    pub pak: String,
    pub tag: String,
    pub name: String,
    pub quantity: i64,
    pub description: String,
    pub provisioned_at: DateTime<Utc>,
    /// Where and when it became smart licenses; None until converted.
    pub converted: Option<(String, DateTime<Utc>, String)>,
}

/// The Traditional Licenses page: the account's entitlements and the virtual accounts the user may
/// convert into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraditionalList {
    pub licenses: Vec<TraditionalRow>,
    pub pools: Vec<(i64, String)>,
}

/// "Convert to Smart Licensing…" (`traditional/convert`).
#[serde_with::serde_as]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConvertForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub id: i64,
    #[serde(default)]
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    pub pool: Option<i64>,
}
