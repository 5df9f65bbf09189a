//! The device side of the portal (PROTOCOL.md): register, authorize, renew, deregister, status. Every
//! write goes through the device writer (`writer.rs`): batches of requests in one transaction, one
//! after another, answered after their commit.

mod authorize;
mod batch;
mod register;
mod writer;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::device::{DeviceRefusal, InstanceStatus};
use crate::domain::events::EventKind;
use crate::entities::{product_instance as pi, smart_account, virtual_account};
use crate::error::DeviceError;
use crate::protocol::{
    Authorization, EntitlementAnswer, EntitlementStatus, IdCert, RenewResponse, StatusResponse, Udi,
};

use super::events::{self, NewEvent};
use super::{instances, secrets};

use batch::Batch;
pub use writer::{DeviceWriter, MAX_BATCH};

/// ID certificates last a year and are renewed after half of it.
pub const ID_CERT_DAYS: i64 = 365;
pub const ID_CERT_RENEW_DAYS: i64 = 180;
/// Authorizations last 90 days and are renewed after 30.
pub const AUTH_DAYS: i64 = 90;
pub const AUTH_RENEW_DAYS: i64 = 30;

/// SHA-256 of a credential, hex: the only form the portal stores.
pub fn credential_hash(credential: &str) -> String {
    secrets::sha256_hex(credential)
}

/// Whether a credential belongs to a registered instance (asked only when a request's body is bad:
/// an unknown credential answers `not_registered` before the body is looked at).
pub async fn is_registered(
    db: &impl ConnectionTrait,
    credential: &str,
) -> Result<bool, DeviceError> {
    Ok(pi::Entity::find()
        .filter(pi::Column::CredentialHash.eq(credential_hash(credential)))
        .one(db)
        .await?
        .is_some())
}

/// A new device credential: 256 bits of randomness, URL-safe, prefixed.
pub fn new_credential() -> String {
    secrets::random_secret("dcr")
}

pub(crate) fn id_cert(serial: &str, expires_at: DateTime<Utc>) -> IdCert {
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

/// The virtual and smart account of a pool id the database handed out.
pub(crate) async fn names(
    db: &impl ConnectionTrait,
    pool: i64,
) -> Result<(virtual_account::Model, smart_account::Model), DeviceError> {
    let va = virtual_account::Entity::find_by_id(pool)
        .one(db)
        .await?
        .ok_or(DeviceError::Internal)?;
    let sa = smart_account::Entity::find_by_id(va.smart_account_id)
        .one(db)
        .await?
        .ok_or(DeviceError::Internal)?;
    Ok((va, sa))
}

/// Whether a contact at `now` changes what the portal shows of `last` (the minute of last contact):
/// only such contacts are written.
pub fn contact_changes(last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.timestamp().div_euclid(60) != last.timestamp().div_euclid(60)
}

fn answers(list: Vec<(String, i64, EntitlementStatus)>) -> Vec<EntitlementAnswer> {
    list.into_iter()
        .map(|(tag, count, status)| EntitlementAnswer { tag, count, status })
        .collect()
}

/// The instance of a credential, or `not_registered`.
async fn find(db: &impl ConnectionTrait, credential: &str) -> Result<pi::Model, DeviceError> {
    pi::Entity::find()
        .filter(pi::Column::CredentialHash.eq(credential_hash(credential)))
        .one(db)
        .await?
        .ok_or(DeviceError::Refused(DeviceRefusal::NotRegistered))
}

/// Records the contact (with `extra` columns in the same write) and returns the instance of a
/// credential, or `not_registered`: one statement (`UPDATE … RETURNING`).
async fn touch(
    db: &impl ConnectionTrait,
    credential: &str,
    now: DateTime<Utc>,
    extra: &[(pi::Column, sea_orm::Value)],
) -> Result<pi::Model, DeviceError> {
    let mut update = pi::Entity::update_many()
        .col_expr(pi::Column::LastContactAt, Expr::value(now))
        .col_expr(
            pi::Column::SilentAfter,
            Expr::value(crate::domain::alerts::silent_after(now)),
        );
    for (col, value) in extra {
        update = update.col_expr(*col, Expr::value(value.clone()));
    }
    update
        .filter(pi::Column::CredentialHash.eq(credential_hash(credential)))
        .exec_with_returning(db)
        .await?
        .pop()
        .ok_or(DeviceError::Refused(DeviceRefusal::NotRegistered))
}

/// `POST /renew` inside the writer's batch: a new ID certificate; the credential stays.
async fn renew_in(
    db: &impl ConnectionTrait,
    credential: &str,
    now: DateTime<Utc>,
) -> Result<RenewResponse, DeviceError> {
    let serial = secrets::random_hex::<8>();
    let expires = now + Duration::days(ID_CERT_DAYS);
    let inst = touch(
        db,
        credential,
        now,
        &[
            (pi::Column::IdCertSerial, serial.clone().into()),
            (pi::Column::IdCertExpiresAt, expires.into()),
        ],
    )
    .await?;
    let mut names = authorize::pool_names(db, std::iter::once(inst.virtual_account_id)).await?;
    Ok(RenewResponse {
        id_cert: id_cert(&serial, expires),
        virtual_account: names.remove(&inst.virtual_account_id),
    })
}

/// Releases an instance's usage (through the batch's counters) and deletes it.
async fn delete_in(
    db: &impl ConnectionTrait,
    batch: &mut Batch,
    inst: &pi::Model,
) -> Result<(), DeviceError> {
    let current = super::usage::of_instance(db, inst.id).await?;
    let none = BTreeMap::new();
    super::usage::write_rows(db, inst.id, inst.virtual_account_id, &current, &none).await?;
    batch.stage(
        inst.virtual_account_id,
        super::usage::deltas(&current, &none),
    );
    pi::Entity::delete_by_id(inst.id).exec(db).await?;
    batch.count_instance(inst.virtual_account_id, -1);
    Ok(())
}

/// `POST /deregister` inside the writer's batch: the instance is removed and its licenses released.
async fn deregister_in(
    db: &impl ConnectionTrait,
    batch: &mut Batch,
    credential: &str,
    now: DateTime<Utc>,
) -> Result<(), DeviceError> {
    let inst = find(db, credential).await?;
    let facts = batch.pool(db, inst.virtual_account_id, now).await?;
    let (va, sa) = (facts.va.id, facts.sa.id);
    delete_in(db, batch, &inst).await?;
    let udi = inst.udi();
    events::record(
        db,
        now,
        NewEvent {
            smart_account_id: sa,
            virtual_account_id: Some(va),
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
    Ok(())
}

/// The last contact of a status call, inside the writer's batch.
async fn contact_in(
    db: &impl ConnectionTrait,
    credential: &str,
    now: DateTime<Utc>,
) -> Result<pi::Model, DeviceError> {
    touch(db, credential, now, &[]).await
}

/// `GET /status`: the portal's view of the instance. A read; the contact is written (through the
/// writer) only when it moves the last contact to another minute, so a device asking often costs
/// reads only.
pub async fn status(
    db: &impl ConnectionTrait,
    writer: &DeviceWriter,
    credential: &str,
    now: DateTime<Utc>,
) -> Result<StatusResponse, DeviceError> {
    let mut inst = find(db, credential).await?;
    if contact_changes(inst.last_contact_at, now) {
        let op = writer::Op::Contact {
            credential: credential.to_owned(),
        };
        // The instance as stored (the database keeps its own precision of the time).
        if let writer::Answer::Contacted(stored) = writer.submit(op, now).await? {
            inst = *stored;
        }
    }
    let (va, sa) = names(db, inst.virtual_account_id).await?;
    let used = super::usage::of_instance(db, inst.id).await?;
    let entitlements =
        answers(instances::entitlement_statuses(db, inst.virtual_account_id, &used, now).await?);
    let ooc = entitlements
        .iter()
        .any(|e| e.status == EntitlementStatus::OutOfCompliance);
    let status = InstanceStatus::from_silence(inst.silent_after, inst.auth_expires_at, ooc, now);
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
        status,
        entitlements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_contact_in_another_minute_is_written() {
        use chrono::TimeZone;
        let at = |secs: i64| Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap();
        // 1_800_000_000 is a whole minute.
        assert!(!contact_changes(at(0), at(59)));
        assert!(contact_changes(at(59), at(60)));
        assert!(contact_changes(at(0), at(600)));
        assert!(
            contact_changes(at(60), at(0)),
            "a clock moved back is written too"
        );
    }

    #[test]
    fn credentials_are_random_prefixed_and_hashed() {
        let c = new_credential();
        assert!(c.starts_with("dcr_") && c.len() == 47);
        assert_ne!(c, new_credential());
        assert_eq!(credential_hash(&c).len(), 64);
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
