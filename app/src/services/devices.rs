//! The device side of the portal (PROTOCOL.md): register, authorize, renew, deregister, status. Each
//! operation starts its transaction with a write (the token's or the instance's row), so that
//! concurrent calls queue on that row instead of failing (SQLite) or racing (PostgreSQL).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::domain::device::{check_entitlements, check_register, FieldError, InstanceStatus};
use crate::domain::events::EventKind;
use crate::entities::{product_instance as pi, smart_account, token, virtual_account};
use crate::protocol::{
    Authorization, AuthorizeRequest, AuthorizeResponse, EntitlementAnswer, EntitlementStatus,
    IdCert, RegisterRequest, RegisterResponse, RenewResponse, StatusResponse, Udi,
    SYNC_INTERVAL_SECS,
};

use super::events::{self, NewEvent};
use super::instances;
use super::tokens::{base64url, shorten};

/// ID certificates last a year and are renewed after half of it.
pub const ID_CERT_DAYS: i64 = 365;
pub const ID_CERT_RENEW_DAYS: i64 = 180;
/// Authorizations last 90 days and are renewed after 30.
pub const AUTH_DAYS: i64 = 90;
pub const AUTH_RENEW_DAYS: i64 = 30;

/// A refusal of the device API: its HTTP status, code and message (PROTOCOL.md's table).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DeviceError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl DeviceError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        DeviceError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", message)
    }
    pub fn not_registered() -> Self {
        Self::new(
            401,
            "not_registered",
            "this device is not registered (unknown or withdrawn credential)",
        )
    }
    pub fn internal() -> Self {
        Self::new(500, "internal_error", "the portal failed; try again later")
    }
}

impl From<FieldError> for DeviceError {
    fn from(e: FieldError) -> Self {
        DeviceError::invalid(e.message)
    }
}

impl From<sea_orm::DbErr> for DeviceError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, cause = ?err, "device API database error");
        DeviceError::internal()
    }
}

impl From<crate::error::AppError> for DeviceError {
    fn from(err: crate::error::AppError) -> Self {
        tracing::error!(error = %err, "device API service error");
        DeviceError::internal()
    }
}

/// SHA-256 of a credential, hex: the only form the portal stores.
pub fn credential_hash(credential: &str) -> String {
    Sha256::digest(credential.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// A new device credential: 32 random bytes, URL-safe, prefixed.
pub fn new_credential() -> String {
    format!("dcr_{}", base64url(&random_bytes::<32>()))
}

fn id_cert(serial: &str, expires_at: DateTime<Utc>) -> IdCert {
    IdCert {
        serial: serial.to_owned(),
        issued_at: expires_at - Duration::days(ID_CERT_DAYS),
        expires_at,
        renew_after: expires_at - Duration::days(ID_CERT_DAYS - ID_CERT_RENEW_DAYS),
    }
}

fn authorization(expires_at: DateTime<Utc>) -> Authorization {
    Authorization {
        issued_at: expires_at - Duration::days(AUTH_DAYS),
        expires_at,
        renew_after: expires_at - Duration::days(AUTH_DAYS - AUTH_RENEW_DAYS),
    }
}

async fn names(
    db: &impl ConnectionTrait,
    pool: i64,
) -> Result<(virtual_account::Model, smart_account::Model), DeviceError> {
    let va = virtual_account::Entity::find_by_id(pool)
        .one(db)
        .await?
        .ok_or_else(DeviceError::internal)?;
    let sa = smart_account::Entity::find_by_id(va.smart_account_id)
        .one(db)
        .await?
        .ok_or_else(DeviceError::internal)?;
    Ok((va, sa))
}

/// `POST /register`.
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    req: RegisterRequest,
    now: DateTime<Utc>,
) -> Result<RegisterResponse, DeviceError> {
    check_register(&req)?;
    let txn = db.begin().await?;
    // The write that queues concurrent registrations of this token.
    let touched = token::Entity::update_many()
        .col_expr(token::Column::Uses, Expr::col(token::Column::Uses))
        .filter(token::Column::Token.eq(req.id_token.as_str()))
        .exec(&txn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(DeviceError::new(
            403,
            "token_invalid",
            "no such registration token",
        ));
    }
    let tok = token::Entity::find()
        .filter(token::Column::Token.eq(req.id_token.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(DeviceError::internal)?;
    if tok.revoked_at.is_some() {
        return Err(DeviceError::new(
            403,
            "token_revoked",
            "the registration token was revoked",
        ));
    }
    if now >= tok.expires_at {
        return Err(DeviceError::new(
            403,
            "token_expired",
            format!(
                "the registration token expired at {}",
                tok.expires_at.to_rfc3339()
            ),
        ));
    }
    let existing = pi::Entity::find()
        .filter(pi::Column::Pid.eq(req.udi.pid.as_str()))
        .filter(pi::Column::Sn.eq(req.udi.sn.as_str()))
        .one(&txn)
        .await?;
    if existing.is_some() && !req.force {
        return Err(DeviceError::new(
            409,
            "already_registered",
            format!(
                "{} is already registered; send force to replace it",
                req.udi
            ),
        ));
    }
    // A forced retry of a registration that already succeeded with this token eats no second use.
    let same_token_retry = existing
        .as_ref()
        .is_some_and(|e| e.token_id == Some(tok.id));
    if !same_token_retry {
        let counted = token::Entity::update_many()
            .col_expr(token::Column::Uses, Expr::col(token::Column::Uses).add(1))
            .filter(token::Column::Id.eq(tok.id))
            .filter(
                Condition::any()
                    .add(token::Column::MaxUses.is_null())
                    .add(Expr::col(token::Column::Uses).lt(Expr::col(token::Column::MaxUses))),
            )
            .exec(&txn)
            .await?;
        if counted.rows_affected == 0 {
            return Err(DeviceError::new(
                403,
                "token_exhausted",
                "the registration token has no uses left",
            ));
        }
    }
    let (va, sa) = names(&txn, tok.virtual_account_id).await?;
    let udi = Udi {
        pid: req.udi.pid.clone(),
        sn: req.udi.sn.clone(),
    };
    let actor = format!("device {udi}");
    if let Some(old) = &existing {
        instances::delete_instance(&txn, old).await?;
        if old.virtual_account_id != va.id {
            events::record(&txn, now, NewEvent {
                smart_account_id: sa.id,
                virtual_account_id: Some(old.virtual_account_id),
                actor: &actor,
                kind: EventKind::InstanceDeregistered,
                message: format!("Product instance {} ({udi}) re-registered into \"{}\"; its licenses here are released", old.hostname, va.name),
                instance: Some(old.id),
            })
            .await?;
        }
    }
    let credential = new_credential();
    let serial: String = random_bytes::<8>()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let cert_expires = now + Duration::days(ID_CERT_DAYS);
    let created = pi::ActiveModel {
        virtual_account_id: Set(va.id),
        pid: Set(udi.pid.clone()),
        sn: Set(udi.sn.clone()),
        hostname: Set(req.hostname.clone()),
        product: Set(req.product.clone()),
        software_version: Set(req.software_version.clone()),
        credential_hash: Set(credential_hash(&credential)),
        token_id: Set(Some(tok.id)),
        registered_at: Set(now),
        last_contact_at: Set(now),
        id_cert_serial: Set(serial.clone()),
        id_cert_expires_at: Set(cert_expires),
        auth_expires_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let again = if existing.is_some() {
        "re-registered"
    } else {
        "registered"
    };
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: sa.id,
            virtual_account_id: Some(va.id),
            actor: &actor,
            kind: EventKind::InstanceRegistered,
            message: format!(
                "Product instance {} ({udi}) {again} with token {}",
                req.hostname,
                shorten(&tok.token)
            ),
            instance: Some(created.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(RegisterResponse {
        instance_id: created.id.to_string(),
        credential,
        smart_account: sa.name,
        virtual_account: va.name,
        id_cert: id_cert(&serial, cert_expires),
        sync_interval_secs: SYNC_INTERVAL_SECS,
    })
}

/// Records the contact and returns the instance of a credential, or `not_registered`. `extra` sets
/// more columns in the same write.
async fn touch(
    db: &impl ConnectionTrait,
    credential: &str,
    now: DateTime<Utc>,
    extra: &[(pi::Column, sea_orm::Value)],
) -> Result<pi::Model, DeviceError> {
    let hash = credential_hash(credential);
    let mut update =
        pi::Entity::update_many().col_expr(pi::Column::LastContactAt, Expr::value(now));
    for (col, value) in extra {
        update = update.col_expr(*col, Expr::value(value.clone()));
    }
    let touched = update
        .filter(pi::Column::CredentialHash.eq(hash.as_str()))
        .exec(db)
        .await?;
    if touched.rows_affected == 0 {
        return Err(DeviceError::not_registered());
    }
    pi::Entity::find()
        .filter(pi::Column::CredentialHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(DeviceError::not_registered)
}

fn answers(list: Vec<(String, i64, EntitlementStatus)>) -> Vec<EntitlementAnswer> {
    list.into_iter()
        .map(|(tag, count, status)| EntitlementAnswer { tag, count, status })
        .collect()
}

/// `POST /authorize`: replaces the device's usage and answers its pooled compliance.
pub async fn authorize(
    db: &(impl ConnectionTrait + TransactionTrait),
    credential: &str,
    req: AuthorizeRequest,
    now: DateTime<Utc>,
) -> Result<AuthorizeResponse, DeviceError> {
    let usage: BTreeMap<String, i64> = check_entitlements(&req.entitlements)?;
    let auth_expires = now + Duration::days(AUTH_DAYS);
    let txn = db.begin().await?;
    let inst = touch(
        &txn,
        credential,
        now,
        &[(pi::Column::AuthExpiresAt, Some(auth_expires).into())],
    )
    .await?;
    super::usage::replace(&txn, inst.id, inst.virtual_account_id, &usage).await?;
    let entitlements =
        answers(instances::entitlement_statuses(&txn, inst.virtual_account_id, &usage, now).await?);
    txn.commit().await?;
    let status = if entitlements
        .iter()
        .any(|e| e.status == EntitlementStatus::OutOfCompliance)
    {
        EntitlementStatus::OutOfCompliance
    } else {
        EntitlementStatus::Authorized
    };
    Ok(AuthorizeResponse {
        status,
        entitlements,
        authorization: authorization(auth_expires),
        next_sync_at: now + Duration::seconds(SYNC_INTERVAL_SECS),
    })
}

/// `POST /renew`: a new ID certificate; the credential stays.
pub async fn renew(
    db: &(impl ConnectionTrait + TransactionTrait),
    credential: &str,
    now: DateTime<Utc>,
) -> Result<RenewResponse, DeviceError> {
    let serial: String = random_bytes::<8>()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let expires = now + Duration::days(ID_CERT_DAYS);
    let txn = db.begin().await?;
    touch(
        &txn,
        credential,
        now,
        &[
            (pi::Column::IdCertSerial, serial.clone().into()),
            (pi::Column::IdCertExpiresAt, expires.into()),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(RenewResponse {
        id_cert: id_cert(&serial, expires),
    })
}

/// `POST /deregister`: the instance is removed and its licenses released.
pub async fn deregister(
    db: &(impl ConnectionTrait + TransactionTrait),
    credential: &str,
    now: DateTime<Utc>,
) -> Result<(), DeviceError> {
    let txn = db.begin().await?;
    let inst = touch(&txn, credential, now, &[]).await?;
    let (va, sa) = names(&txn, inst.virtual_account_id).await?;
    instances::delete_instance(&txn, &inst).await?;
    let udi = Udi {
        pid: inst.pid.clone(),
        sn: inst.sn.clone(),
    };
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: sa.id,
            virtual_account_id: Some(va.id),
            actor: &format!("device {udi}"),
            kind: EventKind::InstanceDeregistered,
            message: format!(
                "Product instance {} ({udi}) deregistered; its licenses are released",
                inst.hostname
            ),
            instance: Some(inst.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `GET /status`: the portal's view of the instance.
pub async fn status(
    db: &(impl ConnectionTrait + TransactionTrait),
    credential: &str,
    now: DateTime<Utc>,
) -> Result<StatusResponse, DeviceError> {
    let txn = db.begin().await?;
    let inst = touch(&txn, credential, now, &[]).await?;
    txn.commit().await?;
    let (va, sa) = names(db, inst.virtual_account_id).await?;
    let used = super::usage::of_instance(db, inst.id).await?;
    let entitlements =
        answers(instances::entitlement_statuses(db, inst.virtual_account_id, &used, now).await?);
    let ooc = entitlements
        .iter()
        .any(|e| e.status == EntitlementStatus::OutOfCompliance);
    let status = InstanceStatus::of(inst.last_contact_at, inst.auth_expires_at, ooc, now);
    Ok(StatusResponse {
        instance_id: inst.id.to_string(),
        hostname: inst.hostname,
        udi: Udi {
            pid: inst.pid,
            sn: inst.sn,
        },
        smart_account: sa.name,
        virtual_account: va.name,
        registered_at: inst.registered_at,
        last_contact_at: inst.last_contact_at,
        id_cert: id_cert(&inst.id_cert_serial, inst.id_cert_expires_at),
        authorization: inst.auth_expires_at.map(authorization),
        status: status.code().to_owned(),
        entitlements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_random_prefixed_and_hashed() {
        let c = new_credential();
        assert!(c.starts_with("dcr_") && c.len() == 47);
        assert_ne!(c, new_credential());
        let h = credential_hash("abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn certificates_and_authorizations_carry_protocol_periods() {
        let end = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let cert = id_cert("S", end);
        assert_eq!(cert.expires_at - cert.issued_at, Duration::days(365));
        assert_eq!(cert.renew_after - cert.issued_at, Duration::days(180));
        let auth = authorization(end);
        assert_eq!(auth.expires_at - auth.issued_at, Duration::days(90));
        assert_eq!(auth.renew_after - auth.issued_at, Duration::days(30));
    }
}
