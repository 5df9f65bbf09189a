//! The device protocol v1 (`/api/device/v1`): request and answer bodies, shared by the portal and the
//! device client. This is a frozen public contract: change it only by adding optional fields.
//!
//! Only serde and chrono: it compiles for the browser (wasm), the portal and the device client alike.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The base path of the device API.
pub const BASE_PATH: &str = "/api/device/v1";
/// The largest request body the portal reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How often a device syncs.
pub const SYNC_INTERVAL_SECS: i64 = 86_400;

/// A device's identity: product id and serial number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Udi {
    pub pid: String,
    pub sn: String,
}

impl std::fmt::Display for Udi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PID:{},SN:{}", self.pid, self.sn)
    }
}

/// `POST /register`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub id_token: String,
    pub udi: Udi,
    pub hostname: String,
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    #[serde(default)]
    pub force: bool,
}

/// The device's identity certificate (dates only: the credential is the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdCert {
    pub serial: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub renew_after: DateTime<Utc>,
}

/// `201` answer of `/register`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterResponse {
    pub instance_id: String,
    pub credential: String,
    pub smart_account: String,
    pub virtual_account: String,
    pub id_cert: IdCert,
    pub sync_interval_secs: i64,
}

/// One entitlement a device uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementRequest {
    pub tag: String,
    pub count: i64,
}

/// `POST /authorize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub entitlements: Vec<EntitlementRequest>,
}

/// `authorized` or `out_of_compliance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntitlementStatus {
    Authorized,
    OutOfCompliance,
}

/// One entitlement with its pooled compliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementAnswer {
    pub tag: String,
    pub count: i64,
    pub status: EntitlementStatus,
}

/// The authorization period the portal grants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub renew_after: DateTime<Utc>,
}

/// `200` answer of `/authorize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeResponse {
    pub status: EntitlementStatus,
    pub entitlements: Vec<EntitlementAnswer>,
    pub authorization: Authorization,
    pub next_sync_at: DateTime<Utc>,
}

/// `200` answer of `/renew`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewResponse {
    pub id_cert: IdCert,
}

/// The portal's view of an instance, as `GET /status` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub instance_id: String,
    pub hostname: String,
    pub udi: Udi,
    pub smart_account: String,
    pub virtual_account: String,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub id_cert: IdCert,
    pub authorization: Option<Authorization>,
    /// `authorized`, `out_of_compliance`, `authorization_expired` or `failed_to_connect`.
    pub status: String,
    pub entitlements: Vec<EntitlementAnswer>,
}

/// `GET /signing-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    pub algorithm: String,
    pub public_key: String,
}

/// The body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The code and human text of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udi_reads_like_a_router_shows_it() {
        let udi = Udi {
            pid: "ASR-9006-AC".into(),
            sn: "FOX1234ABCD".into(),
        };
        assert_eq!(udi.to_string(), "PID:ASR-9006-AC,SN:FOX1234ABCD");
    }

    #[test]
    fn register_request_defaults_force_and_omits_absent_version() {
        let req: RegisterRequest = serde_json::from_str(
            r#"{"id_token":"t","udi":{"pid":"P","sn":"S"},"hostname":"h","product":"ASR9K","extra":1}"#,
        )
        .unwrap();
        assert!(!req.force);
        assert_eq!(req.software_version, None);
        let back = serde_json::to_value(&req).unwrap();
        assert!(back.get("software_version").is_none());
    }

    #[test]
    fn statuses_are_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&EntitlementStatus::OutOfCompliance).unwrap(),
            "\"out_of_compliance\""
        );
    }
}
