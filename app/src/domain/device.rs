//! Rules of the device side: what a registration and an authorization may carry (parsed once into
//! types), what a registration does (a plan), pooled compliance, and the refusals of the device API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;
use crate::domain::tokens::{TokenSecret, TokenState};
use crate::protocol::{self, EntitlementRequest, EntitlementStatus, ErrorCode, RegisterRequest};

pub use crate::protocol::InstanceStatus;

/// The most entitlements one request may carry.
pub const MAX_ENTITLEMENTS: usize = 256;
/// The largest count of one entitlement.
pub const MAX_COUNT: i64 = 1_000_000;

/// `value` if it is 1 to `max` characters without control characters; the message names `field`.
fn bounded(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(FieldError::new(
            field,
            format!("{field} must be 1 to {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// A device's identity, checked: product id and serial number of 1 to 64 characters each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Udi(protocol::Udi);

impl Udi {
    pub fn parse(udi: protocol::Udi) -> Result<Udi, FieldError> {
        Ok(Udi(protocol::Udi {
            pid: bounded("udi.pid", &udi.pid, 64)?,
            sn: bounded("udi.sn", &udi.sn, 64)?,
        }))
    }

    pub fn pid(&self) -> &str {
        &self.0.pid
    }

    pub fn sn(&self) -> &str {
        &self.0.sn
    }

    pub fn into_inner(self) -> protocol::Udi {
        self.0
    }
}

impl std::fmt::Display for Udi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A device's hostname: 1 to 253 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hostname(String);

impl Hostname {
    pub fn parse(raw: &str) -> Result<Hostname, FieldError> {
        bounded("hostname", raw, 253).map(Hostname)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POST /register`'s body, checked against PROTOCOL.md's ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub token: TokenSecret,
    pub udi: Udi,
    pub hostname: Hostname,
    /// 1 to 64 characters.
    pub product: String,
    /// 1 to 64 characters when given.
    pub software_version: Option<String>,
    pub force: bool,
}

impl TryFrom<RegisterRequest> for Registration {
    type Error = FieldError;

    /// The fields in the body's order; the first wrong one is named.
    fn try_from(req: RegisterRequest) -> Result<Registration, FieldError> {
        Ok(Registration {
            token: TokenSecret::parse("id_token", &req.id_token)?,
            udi: Udi::parse(req.udi)?,
            hostname: Hostname::parse(&req.hostname)?,
            product: bounded("product", &req.product, 64)?,
            software_version: req
                .software_version
                .map(|v| bounded("software_version", &v, 64))
                .transpose()?,
            force: req.force,
        })
    }
}

/// Checks an authorization request and returns its usage as tag → count.
pub fn check_entitlements(
    list: &[EntitlementRequest],
) -> Result<BTreeMap<String, i64>, FieldError> {
    if list.len() > MAX_ENTITLEMENTS {
        return Err(FieldError::new(
            "entitlements",
            format!("at most {MAX_ENTITLEMENTS} entitlements per request"),
        ));
    }
    let mut usage = BTreeMap::new();
    for (i, e) in list.iter().enumerate() {
        let tag = bounded(&format!("entitlements[{i}].tag"), &e.tag, 64)?;
        if !(1..=MAX_COUNT).contains(&e.count) {
            return Err(FieldError::new(
                format!("entitlements[{i}].count"),
                format!("entitlements[{i}].count must be 1 to {MAX_COUNT}"),
            ));
        }
        if usage.insert(tag, e.count).is_some() {
            return Err(FieldError::new(
                format!("entitlements[{i}].tag"),
                format!("entitlements[{i}].tag: {} appears more than once", e.tag),
            ));
        }
    }
    Ok(usage)
}

/// Pooled compliance of one tag: the pool's active licenses cover what all its instances use.
pub fn tag_status(active: i64, in_use: i64) -> EntitlementStatus {
    if in_use <= active {
        EntitlementStatus::Authorized
    } else {
        EntitlementStatus::OutOfCompliance
    }
}

/// Why the device API refuses a request (PROTOCOL.md's table); `crate::error` gives each its HTTP
/// status and code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceRefusal {
    #[error("{}", .0.message)]
    Invalid(FieldError),
    #[error("this device is not registered (unknown or withdrawn credential)")]
    NotRegistered,
    #[error("no such registration token")]
    TokenInvalid,
    #[error("the registration token expired at {}", .0.to_rfc3339())]
    TokenExpired(DateTime<Utc>),
    #[error("the registration token was revoked")]
    TokenRevoked,
    #[error("the registration token has no uses left")]
    TokenExhausted,
    #[error("{0} is already registered; send force to replace it")]
    AlreadyRegistered(String),
}

impl DeviceRefusal {
    /// The code of the error body.
    pub fn code(&self) -> ErrorCode {
        match self {
            DeviceRefusal::Invalid(_) => ErrorCode::InvalidRequest,
            DeviceRefusal::NotRegistered => ErrorCode::NotRegistered,
            DeviceRefusal::TokenInvalid => ErrorCode::TokenInvalid,
            DeviceRefusal::TokenExpired(_) => ErrorCode::TokenExpired,
            DeviceRefusal::TokenRevoked => ErrorCode::TokenRevoked,
            DeviceRefusal::TokenExhausted => ErrorCode::TokenExhausted,
            DeviceRefusal::AlreadyRegistered(_) => ErrorCode::AlreadyRegistered,
        }
    }
}

impl From<FieldError> for DeviceRefusal {
    fn from(e: FieldError) -> Self {
        DeviceRefusal::Invalid(e)
    }
}

/// The token a registration names, as the plan needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenFacts {
    pub id: i64,
    pub pool: i64,
    /// The smart account of the token's pool.
    pub account: i64,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub uses: i32,
    pub max_uses: Option<i32>,
}

/// The registration the UDI already has, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub instance: i64,
    pub pool: i64,
    /// The smart account of its pool.
    pub account: i64,
    pub token: Option<i64>,
}

/// What a registration does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationPlan {
    /// Whether it counts a use of the token (a forced retry with the same token counts none).
    pub counts_use: bool,
    /// The registration it replaces (`force`); its usage is released and its credential withdrawn.
    pub replaces: Option<Registered>,
    /// Whether the replaced instance leaves another virtual account (that account's log says so).
    pub moves_pool: bool,
}

/// Decides a registration: the token must be unrevoked, unexpired and have uses left; a registered
/// UDI needs `force`, and `force` replaces only a registration of the token's own smart account (a
/// UDI of another account is never taken over: serial numbers are printed on the hardware). The
/// checks run in that order, so a device learns the first thing to fix.
pub fn plan_registration(
    token: TokenFacts,
    existing: Option<Registered>,
    force: bool,
    udi: &Udi,
    now: DateTime<Utc>,
) -> Result<RegistrationPlan, DeviceRefusal> {
    match TokenState::of(token.expires_at, token.revoked, 0, None, now) {
        TokenState::Revoked => return Err(DeviceRefusal::TokenRevoked),
        TokenState::Expired => return Err(DeviceRefusal::TokenExpired(token.expires_at)),
        TokenState::Active | TokenState::Exhausted => {}
    }
    if existing.is_some_and(|e| !force || e.account != token.account) {
        return Err(DeviceRefusal::AlreadyRegistered(udi.to_string()));
    }
    let counts_use = existing.is_none_or(|e| e.token != Some(token.id));
    if counts_use && token.max_uses.is_some_and(|max| token.uses >= max) {
        return Err(DeviceRefusal::TokenExhausted);
    }
    Ok(RegistrationPlan {
        counts_use,
        replaces: existing,
        moves_pool: existing.is_some_and(|e| e.pool != token.pool),
    })
}

/// The SQL of `InstanceStatus::of`, for filters over the `product_instances` table.
#[cfg(feature = "ssr")]
pub mod sql {
    use chrono::{DateTime, Utc};
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    use sea_orm::{ColumnTrait, Condition};

    use super::InstanceStatus;
    use crate::entities::product_instance::Column;
    use crate::entities::{instance_usage, product_instance};

    /// The `product_instances` rows that use a tag matching `tag` (a condition on `instance_usages`).
    pub fn uses_a_tag(tag: Expr) -> Expr {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(instance_usage::Entity)
                .and_where(
                    Expr::col((
                        instance_usage::Entity,
                        instance_usage::Column::ProductInstanceId,
                    ))
                    .equals((product_instance::Entity, Column::Id)),
                )
                .and_where(tag)
                .to_owned(),
        )
    }

    /// The instances in `status` at `now`; `out_of_compliance` selects the instances that use a tag
    /// their pool is short of.
    pub fn instance_status(
        status: InstanceStatus,
        now: DateTime<Utc>,
        out_of_compliance: Condition,
    ) -> Condition {
        let connected = || Condition::all().add(Column::SilentAfter.gte(now));
        let current = || {
            Condition::any()
                .add(Column::AuthExpiresAt.is_null())
                .add(Column::AuthExpiresAt.gt(now))
        };
        match status {
            InstanceStatus::FailedToConnect => Condition::all().add(Column::SilentAfter.lt(now)),
            InstanceStatus::AuthorizationExpired => connected()
                .add(Column::AuthExpiresAt.is_not_null())
                .add(Column::AuthExpiresAt.lte(now)),
            InstanceStatus::OutOfCompliance => connected().add(current()).add(out_of_compliance),
            InstanceStatus::Authorized => connected().add(current()).add(out_of_compliance.not()),
        }
    }
}

#[cfg(test)]
mod tests;
