//! The REST API's request and answer bodies: a frozen contract of their own (change only by adding),
//! converted from the pages' model types, which may change freely.

use app::domain::alerts::{Alert as AppAlert, AlertKind, AlertSource, Severity};
use app::domain::licenses::{LicenseAlert, LotState};
use app::domain::tokens::TokenState;
use app::model;
use chrono::{DateTime, Utc};
use device_protocol::{EntitlementStatus, InstanceStatus, Udi};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::paging::page_type;

page_type!(
    VirtualAccountPage,
    VirtualAccount,
    "A page of virtual accounts."
);
page_type!(LicensePage, License, "A page of licenses.");
page_type!(TokenPage, Token, "A page of tokens.");
page_type!(
    ProductInstancePage,
    ProductInstance,
    "A page of product instances."
);
page_type!(EventPage, Event, "A page of events.");
page_type!(AlertPage, Alert, "A page of alerts.");

/// A virtual account (license pool).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VirtualAccount {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Active licenses it holds (all tags together).
    pub licenses: i64,
    pub tokens: i64,
    pub instances: i64,
    /// Whether this key may change what it holds.
    pub can_change: bool,
}

impl From<model::PoolRow> for VirtualAccount {
    fn from(p: model::PoolRow) -> Self {
        VirtualAccount {
            id: p.id,
            name: p.name,
            description: p.description,
            is_default: p.is_default,
            licenses: p.licenses,
            tokens: p.tokens,
            instances: p.instances,
            can_change: p.can_change,
        }
    }
}

/// `POST /virtual-accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewVirtualAccount {
    /// 1 to 64 characters (no control characters), unique in the smart account.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
}

/// `PATCH /virtual-accounts/{id}`: what to change (absent fields stay).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct VirtualAccountChange {
    /// 1 to 64 characters (no control characters), unique in the smart account.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// At most 500 characters.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: Option<String>,
    /// `true` makes it the smart account's default virtual account.
    pub is_default: Option<bool>,
}

/// A virtual account named in another answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PoolName {
    pub id: i64,
    pub name: String,
}

/// Why a license needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenseAlertKind {
    Insufficient,
    Expiring,
    Expired,
}

/// One license in a virtual account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct License {
    /// The entitlement tag, e.g. `A9K-100G-LIC`.
    pub tag: String,
    /// Empty when the catalogue lacks the tag (a device reported it).
    pub name: String,
    pub product_family: String,
    /// Active licenses held.
    pub purchased: i64,
    pub in_use: i64,
    /// Purchased minus in use; negative is a shortage.
    pub balance: i64,
    /// How many a transfer may move out now.
    pub transferable: i64,
    pub nearest_expiry: Option<DateTime<Utc>>,
    pub alert: Option<LicenseAlertKind>,
    /// The alert in words, as the Licenses tab shows it.
    pub alert_text: Option<String>,
}

impl From<model::LicenseRow> for License {
    fn from(r: model::LicenseRow) -> Self {
        License {
            alert: r.alert.map(|a| match a {
                LicenseAlert::Insufficient { .. } => LicenseAlertKind::Insufficient,
                LicenseAlert::Expiring { .. } => LicenseAlertKind::Expiring,
                LicenseAlert::Expired => LicenseAlertKind::Expired,
            }),
            alert_text: r.alert.map(|a| a.label()),
            tag: r.tag,
            name: r.name,
            product_family: r.product_family,
            purchased: r.purchased,
            in_use: r.in_use,
            balance: r.balance,
            transferable: r.transferable,
            nearest_expiry: r.nearest_expiry,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    NotStarted,
    Active,
    Expired,
}

/// A quantity of one license from one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lot {
    pub id: i64,
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    /// `null` for a perpetual lot.
    pub ends_at: Option<DateTime<Utc>>,
    pub source: String,
    pub state: LotStatus,
}

/// A license's standing in one virtual account of the smart account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoolUsage {
    pub virtual_account: PoolName,
    pub purchased: i64,
    pub in_use: i64,
}

/// One license of a virtual account in full: its lots and its usage in every pool the key sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LicenseDetail {
    pub license: License,
    pub lots: Vec<Lot>,
    pub usage: Vec<PoolUsage>,
}

impl From<model::LicenseDetail> for LicenseDetail {
    fn from(d: model::LicenseDetail) -> Self {
        LicenseDetail {
            license: d.row.into(),
            lots: d
                .lots
                .into_iter()
                .map(|l| Lot {
                    id: l.id,
                    quantity: l.quantity,
                    starts_at: l.starts_at,
                    ends_at: l.ends_at,
                    source: l.source_ref,
                    state: match l.state {
                        LotState::NotStarted => LotStatus::NotStarted,
                        LotState::Active => LotStatus::Active,
                        LotState::Expired => LotStatus::Expired,
                    },
                })
                .collect(),
            usage: d
                .usage
                .into_iter()
                .map(|u| PoolUsage {
                    virtual_account: PoolName {
                        id: u.pool_id,
                        name: u.pool,
                    },
                    purchased: u.purchased,
                    in_use: u.in_use,
                })
                .collect(),
        }
    }
}

/// `POST /transfers`: one or several moves, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferRequest {
    /// 1 to 100 moves.
    #[schema(min_items = 1, max_items = 100)]
    pub transfers: Vec<TransferItem>,
}

/// Move `quantity` licenses of `license` from one virtual account to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferItem {
    /// The entitlement tag.
    #[schema(min_length = 1, max_length = 64)]
    pub license: String,
    /// The id of the virtual account that gives.
    pub from: i64,
    /// The id of the virtual account that receives.
    pub to: i64,
    /// 1 to 1,000,000,000; never more than the giver can spare.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub quantity: i64,
}

/// A move that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferDone {
    pub id: i64,
    pub license: String,
    pub quantity: i64,
    pub from: PoolName,
    pub to: PoolName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferResult {
    pub transfers: Vec<TransferDone>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
    Exhausted,
}

impl From<TokenState> for TokenStatus {
    fn from(s: TokenState) -> Self {
        match s {
            TokenState::Active => TokenStatus::Active,
            TokenState::Expired => TokenStatus::Expired,
            TokenState::Revoked => TokenStatus::Revoked,
            TokenState::Exhausted => TokenStatus::Exhausted,
        }
    }
}

/// A registration token (idtoken) of a virtual account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Token {
    pub id: i64,
    /// The whole token for keys that may change the pool; shortened (`idt_AbCd…`) otherwise.
    pub token: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub uses: i32,
    /// `null`: unlimited.
    pub max_uses: Option<i32>,
    pub allow_export_controlled: bool,
    pub state: TokenStatus,
    pub revoke_reason: Option<String>,
}

impl From<model::TokenRow> for Token {
    fn from(t: model::TokenRow) -> Self {
        Token {
            id: t.id,
            token: t.token,
            description: t.description,
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            uses: t.uses,
            max_uses: t.max_uses,
            allow_export_controlled: t.allow_export_controlled,
            state: t.state.into(),
            revoke_reason: t.revoke_reason,
        }
    }
}

/// `POST /virtual-accounts/{id}/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewToken {
    /// At most 500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
    /// 1 to 365.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_after_days: i64,
    /// 1 to 1,000,000; `null` or absent: unlimited.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub max_uses: Option<i64>,
    #[serde(default)]
    pub allow_export_controlled: bool,
}

/// `POST /tokens/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokeToken {
    /// 1 to 500 characters.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// A tag and how many of it a device uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    pub tag: String,
    pub count: i64,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProductInstance {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub udi: Udi,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    pub usage: Vec<Usage>,
}

impl From<model::InstanceRow> for ProductInstance {
    fn from(r: model::InstanceRow) -> Self {
        ProductInstance {
            id: r.id,
            hostname: r.hostname,
            product: r.product,
            udi: Udi {
                pid: r.pid,
                sn: r.sn,
            },
            last_contact_at: r.last_contact_at,
            status: r.status,
            usage: r
                .usage
                .into_iter()
                .map(|(tag, count)| Usage { tag, count })
                .collect(),
        }
    }
}

/// One entitlement of a device with its pooled status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceEntitlement {
    pub tag: String,
    pub count: i64,
    pub status: EntitlementStatus,
}

/// A registered device in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProductInstanceDetail {
    pub id: i64,
    pub hostname: String,
    pub product: String,
    pub udi: Udi,
    pub virtual_account: PoolName,
    pub software_version: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub status: InstanceStatus,
    pub id_cert_serial: String,
    pub id_cert_expires_at: DateTime<Utc>,
    pub authorization_expires_at: Option<DateTime<Utc>>,
    pub entitlements: Vec<InstanceEntitlement>,
}

impl From<model::InstanceDetail> for ProductInstanceDetail {
    fn from(d: model::InstanceDetail) -> Self {
        ProductInstanceDetail {
            id: d.row.id,
            hostname: d.row.hostname,
            product: d.row.product,
            udi: Udi {
                pid: d.row.pid,
                sn: d.row.sn,
            },
            virtual_account: PoolName {
                id: d.pool_id,
                name: d.pool_name,
            },
            software_version: d.software_version,
            registered_at: d.registered_at,
            last_contact_at: d.row.last_contact_at,
            status: d.row.status,
            id_cert_serial: d.id_cert_serial,
            id_cert_expires_at: d.id_cert_expires_at,
            authorization_expires_at: d.auth_expires_at,
            entitlements: d
                .entitlements
                .into_iter()
                .map(|e| InstanceEntitlement {
                    tag: e.tag,
                    count: e.count,
                    status: e.status,
                })
                .collect(),
        }
    }
}

/// `POST /product-instances/transfer`: one or several devices to one virtual account, together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceTransferRequest {
    /// 1 to 500 product instance ids.
    #[schema(min_items = 1, max_items = 500)]
    pub instances: Vec<i64>,
    /// The id of the receiving virtual account.
    pub to: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InstanceTransferResult {
    pub transferred: Vec<i64>,
    pub to: PoolName,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// A user, `user (API key "name")`, a device or the operator.
    pub actor: String,
    /// The kind's stable name, e.g. `license.transferred`, `token.created`.
    pub kind: String,
    pub message: String,
}

impl From<model::EventRow> for Event {
    fn from(e: model::EventRow) -> Self {
        Event {
            id: e.id,
            at: e.at,
            actor: e.actor,
            kind: e.kind.as_str().to_owned(),
            message: e.message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Major,
    Minor,
    Informational,
}

impl From<Severity> for AlertSeverity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Major => AlertSeverity::Major,
            Severity::Minor => AlertSeverity::Minor,
            Severity::Informational => AlertSeverity::Informational,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertType {
    InsufficientLicenses,
    InstanceFailedToRenew,
    InstanceFailedToConnect,
    LicensesExpired,
    LicensesExpiring,
    TokenExpiring,
}

impl From<AlertKind> for AlertType {
    fn from(k: AlertKind) -> Self {
        match k {
            AlertKind::InsufficientLicenses => AlertType::InsufficientLicenses,
            AlertKind::InstanceFailedToRenew => AlertType::InstanceFailedToRenew,
            AlertKind::InstanceFailedToConnect => AlertType::InstanceFailedToConnect,
            AlertKind::LicensesExpired => AlertType::LicensesExpired,
            AlertKind::LicensesExpiring => AlertType::LicensesExpiring,
            AlertKind::TokenExpiring => AlertType::TokenExpiring,
        }
    }
}

/// Something that needs action, as the Alerts page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    #[serde(rename = "type")]
    pub kind: AlertType,
    pub severity: AlertSeverity,
    pub virtual_account: PoolName,
    /// The license tag, for license alerts.
    pub license: Option<String>,
    /// The product instance, for an alert about one device.
    pub product_instance_id: Option<i64>,
    /// The token, for a token alert.
    pub token_id: Option<i64>,
    pub message: String,
    /// When action is due.
    pub due: DateTime<Utc>,
}

impl From<AppAlert> for Alert {
    fn from(a: AppAlert) -> Self {
        let (license, instance, token) = match &a.source {
            AlertSource::License { tag, .. } => (Some(tag.clone()), None, None),
            AlertSource::Instance { id, .. } => (None, Some(*id), None),
            AlertSource::Instances { .. } => (None, None, None),
            AlertSource::Token { id, .. } => (None, None, Some(*id)),
        };
        Alert {
            kind: a.kind.into(),
            severity: a.severity.into(),
            virtual_account: PoolName {
                id: a.pool_id,
                name: a.pool,
            },
            license,
            product_instance_id: instance,
            token_id: token,
            message: a.message,
            due: a.due,
        }
    }
}

/// The stable name of a kind of event (`Event.kind`, and the events list's `kind` filter).
pub struct EventKindName;

impl utoipa::PartialSchema for EventKindName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The stable name of a kind of event."))
            .enum_values(Some(
                app::domain::events::EventKind::ALL
                    .iter()
                    .map(|k| k.as_str()),
            ))
            .into()
    }
}

impl ToSchema for EventKindName {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("EventKindName")
    }
}

/// A report and its format, as `GET /reports/{file}` names it.
pub struct ReportFile;

impl ReportFile {
    /// Every file the reports give: each report as .xlsx and .csv, the Full Inventory as .xlsx.
    pub fn names() -> Vec<String> {
        use app::domain::reports::ReportKind;
        let mut names: Vec<String> = ReportKind::SINGLE
            .iter()
            .flat_map(|k| [format!("{}.xlsx", k.slug()), format!("{}.csv", k.slug())])
            .collect();
        names.push(format!("{}.xlsx", ReportKind::FullInventory.slug()));
        names
    }
}

impl utoipa::PartialSchema for ReportFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A report and its format."))
            .enum_values(Some(ReportFile::names()))
            .into()
    }
}

impl ToSchema for ReportFile {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportFile")
    }
}

/// A status filter of a report (which ones apply depends on the report; the Reports page offers them).
pub struct ReportStatusName;

impl utoipa::PartialSchema for ReportStatusName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A status filter; which apply depends on the report."))
            .enum_values(Some(
                app::domain::reports::ReportStatus::ALL
                    .iter()
                    .map(|s| s.code()),
            ))
            .into()
    }
}

impl ToSchema for ReportStatusName {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportStatusName")
    }
}
