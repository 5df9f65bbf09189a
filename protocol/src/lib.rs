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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdCert {
    pub serial: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub renew_after: DateTime<Utc>,
}

/// `201` answer of `/register`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterResponse {
    pub instance_id: String,
    pub credential: String,
    pub smart_account: String,
    pub virtual_account: String,
    pub id_cert: IdCert,
    pub sync_interval_secs: i64,
    /// Whether the token allowed export-controlled functionality (added in v1.1; absent means not).
    #[serde(default)]
    pub export_controlled_allowed: bool,
}

/// One entitlement a device uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitlementRequest {
    pub tag: String,
    pub count: i64,
}

/// `POST /authorize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizeRequest {
    pub entitlements: Vec<EntitlementRequest>,
}

/// `authorized` or `out_of_compliance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntitlementStatus {
    Authorized,
    OutOfCompliance,
}

impl EntitlementStatus {
    pub const ALL: [EntitlementStatus; 2] = [
        EntitlementStatus::Authorized,
        EntitlementStatus::OutOfCompliance,
    ];

    /// The name on the wire.
    pub fn code(self) -> &'static str {
        match self {
            EntitlementStatus::Authorized => "authorized",
            EntitlementStatus::OutOfCompliance => "out_of_compliance",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            EntitlementStatus::Authorized => "Authorized",
            EntitlementStatus::OutOfCompliance => "Out of Compliance",
        }
    }

    /// Out of compliance when any of `statuses` is.
    pub fn worst(statuses: impl IntoIterator<Item = EntitlementStatus>) -> EntitlementStatus {
        statuses
            .into_iter()
            .find(|s| *s == EntitlementStatus::OutOfCompliance)
            .unwrap_or(EntitlementStatus::Authorized)
    }
}

/// Where a product instance stands, as the portal shows it and `GET /status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    Authorized,
    OutOfCompliance,
    AuthorizationExpired,
    FailedToConnect,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 4] = [
        InstanceStatus::Authorized,
        InstanceStatus::OutOfCompliance,
        InstanceStatus::AuthorizationExpired,
        InstanceStatus::FailedToConnect,
    ];

    /// Silence for longer than two sync intervals is a failure to connect; an authorization past its
    /// end is expired; else any out-of-compliance tag makes the instance out of compliance.
    ///
    /// The portal filters by this rule in SQL too (`app::domain::device::sql::instance_status`); a
    /// property test checks that the two agree.
    pub fn of(
        last_contact_at: DateTime<Utc>,
        auth_expires_at: Option<DateTime<Utc>>,
        any_out_of_compliance: bool,
        now: DateTime<Utc>,
    ) -> InstanceStatus {
        let silent_after = last_contact_at + chrono::Duration::seconds(2 * SYNC_INTERVAL_SECS);
        InstanceStatus::from_silence(silent_after, auth_expires_at, any_out_of_compliance, now)
    }

    /// The same rule from the moment the instance counts as silent: for a device that talks to the
    /// portal, two sync intervals after its last contact; for one behind a satellite, 90 days after
    /// the satellite's last synchronisation (the portal keeps that moment with each instance).
    pub fn from_silence(
        silent_after: DateTime<Utc>,
        auth_expires_at: Option<DateTime<Utc>>,
        any_out_of_compliance: bool,
        now: DateTime<Utc>,
    ) -> InstanceStatus {
        if now > silent_after {
            InstanceStatus::FailedToConnect
        } else if auth_expires_at.is_some_and(|end| now >= end) {
            InstanceStatus::AuthorizationExpired
        } else if any_out_of_compliance {
            InstanceStatus::OutOfCompliance
        } else {
            InstanceStatus::Authorized
        }
    }

    /// The name on the wire.
    pub fn code(self) -> &'static str {
        match self {
            InstanceStatus::Authorized => "authorized",
            InstanceStatus::OutOfCompliance => "out_of_compliance",
            InstanceStatus::AuthorizationExpired => "authorization_expired",
            InstanceStatus::FailedToConnect => "failed_to_connect",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            InstanceStatus::Authorized => "Authorized",
            InstanceStatus::OutOfCompliance => "Out of Compliance",
            InstanceStatus::AuthorizationExpired => "Authorization Expired",
            InstanceStatus::FailedToConnect => "Failed to Connect",
        }
    }
}

/// One entitlement with its pooled compliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitlementAnswer {
    pub tag: String,
    pub count: i64,
    pub status: EntitlementStatus,
}

/// The authorization period the portal grants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorization {
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub renew_after: DateTime<Utc>,
}

/// `200` answer of `/authorize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizeResponse {
    pub status: EntitlementStatus,
    pub entitlements: Vec<EntitlementAnswer>,
    pub authorization: Authorization,
    pub next_sync_at: DateTime<Utc>,
    /// The virtual account the instance is in now (added in v1.2; absent from older portals): a
    /// transfer in the portal reaches the device with its next call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account: Option<String>,
}

/// `200` answer of `/renew`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewResponse {
    pub id_cert: IdCert,
    /// The virtual account the instance is in now (added in v1.2; absent from older portals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account: Option<String>,
}

/// The portal's view of an instance, as `GET /status` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub status: InstanceStatus,
    pub entitlements: Vec<EntitlementAnswer>,
}

/// `GET /signing-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningKey {
    pub algorithm: String,
    pub public_key: String,
}

/// The body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The code and human text of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Why the portal refused a request (PROTOCOL.md's table, plus the answers of the transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, a missing or out-of-range field (400), or a body over 64 KiB (413).
    InvalidRequest,
    /// Missing, unknown or withdrawn credential (401).
    NotRegistered,
    /// No such registration token (403).
    TokenInvalid,
    TokenExpired,
    TokenRevoked,
    TokenExhausted,
    /// The UDI is registered and `force` was not set, or it belongs to another smart account (409).
    AlreadyRegistered,
    /// Too many requests; `Retry-After` says when to come back (429).
    RateLimited,
    /// A device called over plain HTTP from another host (403).
    HttpsRequired,
    /// No such endpoint (404) or method (405).
    NotFound,
    MethodNotAllowed,
    /// The portal failed (500).
    InternalError,
    /// A code this client does not know (a newer portal's addition).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code the portal sends (not `Unknown`, which only a client reads).
    pub const SENT: [ErrorCode; 12] = [
        ErrorCode::InvalidRequest,
        ErrorCode::NotRegistered,
        ErrorCode::TokenInvalid,
        ErrorCode::TokenExpired,
        ErrorCode::TokenRevoked,
        ErrorCode::TokenExhausted,
        ErrorCode::AlreadyRegistered,
        ErrorCode::RateLimited,
        ErrorCode::HttpsRequired,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InternalError,
    ];
}

/// The codes as the OpenAPI document lists them: those the portal sends.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Why the portal refused a request (PROTOCOL.md's table, plus the answers of the transport).",
            ))
            .enum_values(Some(ErrorCode::SENT.iter().map(|c| c.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ErrorCode")
    }
}

impl ErrorCode {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::NotRegistered => "not_registered",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::TokenExhausted => "token_exhausted",
            ErrorCode::AlreadyRegistered => "already_registered",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::HttpsRequired => "https_required",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
        for status in EntitlementStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.code())
            );
        }
        for status in InstanceStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.code())
            );
        }
    }

    #[test]
    fn error_codes_read_as_the_protocol_names_them() {
        for code in ErrorCode::SENT {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
        let newer: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"quota_exceeded","message":"m"}}"#).unwrap();
        assert_eq!(newer.error.code, ErrorCode::Unknown);
    }

    #[test]
    fn instance_status_prefers_silence_then_expiry_then_compliance() {
        let t = |secs: i64| DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap();
        let day = 86_400;
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(90 * day)), false, t(day)),
            InstanceStatus::Authorized
        );
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(90 * day)), true, t(day)),
            InstanceStatus::OutOfCompliance
        );
        assert_eq!(
            InstanceStatus::of(t(0), Some(t(day)), true, t(day)),
            InstanceStatus::AuthorizationExpired
        );
        assert_eq!(
            InstanceStatus::of(t(0), None, false, t(2 * day + 1)),
            InstanceStatus::FailedToConnect
        );
        assert_eq!(
            InstanceStatus::of(t(0), None, false, t(2 * day)),
            InstanceStatus::Authorized
        );
    }
}
