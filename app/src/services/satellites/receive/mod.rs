//! The portal takes a satellite's sync file (over the network, or uploaded from an air-gapped site)
//! and answers with its response file.
//!
//! Checks, in order: a sync file of this version; a satellite of this portal (and of the uploading
//! account); signed by the satellite's pinned key, or, at its first sync, carrying the registration's
//! secret and signed by the key it brings (then pinned); newer than the last applied (the same file
//! again changes nothing and gets its response again; an older one is refused as stale).
//!
//! Applying, in one transaction with the satellite's virtual accounts locked: its devices as they are
//! now (new ones added, changed ones updated, missing ones removed), their usage moving the pools'
//! counters exactly as the device writer does, the registrations it made per token, its events once
//! each. A device behind a satellite counts as silent 90 days after the sync that reported it in
//! touch. The response carries the virtual accounts' licenses (lots, and what is in use elsewhere)
//! and tokens (with their uses elsewhere).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::alerts::silent_after_sync;
use crate::domain::events::EventKind;
use crate::domain::satellites::{check_sequence, FileKind, Sequence, SyncRefusal, UpPayload};
use crate::entities::{
    event, instance_usage, product_instance as pi, satellite, satellite_pool, satellite_token_use,
    token,
};
use crate::error::AppError;
use crate::services::signing::Signer;
use crate::services::{pools, secrets, usage};

use super::envelope;

mod response;
use response::response;

/// What taking a file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub satellite: String,
    /// The response file's text.
    pub response: String,
    /// The same file came again: nothing changed.
    pub repeat: bool,
    /// The response's number.
    pub response_seq: i64,
}

/// Takes the sync file `text`; `account` limits it to one smart account (an upload in the browser).
pub async fn receive(
    db: &(impl ConnectionTrait + TransactionTrait),
    signer: &Signer,
    text: &str,
    account: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Received, AppError> {
    let opened = envelope::open::<UpPayload>(text, FileKind::Up)?;
    let id = opened.payload.satellite_id;
    let sat = satellite::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| account.is_none_or(|a| a == s.smart_account_id))
        .ok_or(SyncRefusal::Foreign(id))?;
    let first = sat.public_key.is_none();
    let up = match &sat.public_key {
        Some(key) => opened.trusted(key)?,
        None => {
            let up = &opened.payload;
            let proven = up.secret.as_deref().map(secrets::sha256_hex) == sat.secret_hash
                && sat.secret_hash.is_some();
            if !proven {
                return Err(SyncRefusal::NotRegistered.into());
            }
            let key = up.public_key.clone();
            opened.trusted(&key)?
        }
    };
    let txn = crate::services::begin_writing(db).await?;
    // The satellite's row first: two uploads of one satellite queue here.
    let sat = satellite::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(SyncRefusal::Foreign(id))?;
    let sequence = check_sequence(up.seq, sat.last_up_seq)?;
    let served = served(&txn, id).await?;
    let synced_at = std::cmp::min(up.generated_at, now);
    let (response_seq, acknowledged) = match sequence {
        Sequence::Repeat => (sat.down_seq, sat.last_event_id),
        Sequence::New => {
            pools::lock(&txn, sat.smart_account_id, &served).await?;
            let last_event = apply(&txn, &sat, &served, &up, synced_at, now).await?;
            let mut row: satellite::ActiveModel = sat.clone().into();
            row.last_up_seq = Set(up.seq);
            row.last_sync_at = Set(Some(synced_at));
            row.mode = Set(Some(up.mode.as_str().to_owned()));
            row.last_event_id = Set(last_event);
            row.down_seq = Set(sat.down_seq + 1);
            if first {
                row.public_key = Set(Some(up.public_key.clone()));
                row.secret_hash = Set(None);
                row.registered_at = Set(Some(now));
            }
            row.update(&txn).await?;
            (sat.down_seq + 1, last_event)
        }
    };
    let down = response(
        &txn,
        &sat,
        &served,
        (up.seq, response_seq, acknowledged),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Received {
        satellite: sat.name,
        response: envelope::seal(signer, FileKind::Down, &down),
        repeat: sequence == Sequence::Repeat,
        response_seq,
    })
}

/// The virtual accounts the satellite serves.
async fn served(db: &impl ConnectionTrait, satellite: i64) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = satellite_pool::Entity::find()
        .filter(satellite_pool::Column::SatelliteId.eq(satellite))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.virtual_account_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Applies the satellite's devices, token uses and events; returns the last event id taken.
async fn apply(
    db: &impl ConnectionTrait,
    sat: &satellite::Model,
    served: &[i64],
    up: &UpPayload,
    synced_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let existing: HashMap<i64, pi::Model> = pi::Entity::find()
        .filter(pi::Column::SatelliteId.eq(sat.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.satellite_instance_id.map(|sid| (sid, m)))
        .collect();
    let ids: Vec<i64> = existing.values().map(|m| m.id).collect();
    let mut old_usage: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for u in instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids))
        .all(db)
        .await?
    {
        old_usage
            .entry(u.product_instance_id)
            .or_default()
            .push((u.tag, u.count));
    }
    let mut counters: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    let mut move_usage = |pool: i64, usage: &[(String, i64)], sign: i64| {
        for (tag, count) in usage {
            *counters.entry((pool, tag.clone())).or_default() += sign * count;
        }
    };
    let mut kept = HashSet::new();
    let mut portal_ids: HashMap<i64, i64> = HashMap::new();
    for d in up.instances.iter().filter(|d| served.contains(&d.pool)) {
        kept.insert(d.id);
        let silent = silent_after_sync(d.last_contact_at, synced_at);
        let usage: Vec<(String, i64)> = d.usage.iter().filter(|(_, c)| *c > 0).cloned().collect();
        let portal_id = match existing.get(&d.id) {
            Some(m) => {
                move_usage(
                    m.virtual_account_id,
                    old_usage.get(&m.id).map_or(&[][..], Vec::as_slice),
                    -1,
                );
                if m.virtual_account_id != d.pool {
                    *counts.entry(m.virtual_account_id).or_default() -= 1;
                    *counts.entry(d.pool).or_default() += 1;
                }
                let mut row: pi::ActiveModel = m.clone().into();
                row.virtual_account_id = Set(d.pool);
                row.hostname = Set(d.hostname.clone());
                row.product = Set(d.product.clone());
                row.software_version = Set(d.software_version.clone());
                row.last_contact_at = Set(d.last_contact_at);
                row.silent_after = Set(silent);
                row.id_cert_serial = Set(d.id_cert_serial.clone());
                row.id_cert_expires_at = Set(d.id_cert_expires_at);
                row.auth_expires_at = Set(d.auth_expires_at);
                row.update(db).await?;
                instance_usage::Entity::delete_many()
                    .filter(instance_usage::Column::ProductInstanceId.eq(m.id))
                    .exec(db)
                    .await?;
                m.id
            }
            None => {
                *counts.entry(d.pool).or_default() += 1;
                pi::ActiveModel {
                    virtual_account_id: Set(d.pool),
                    pid: Set(d.pid.clone()),
                    sn: Set(d.sn.clone()),
                    hostname: Set(d.hostname.clone()),
                    product: Set(d.product.clone()),
                    software_version: Set(d.software_version.clone()),
                    // Never a SHA-256: no credential reaches the portal for it.
                    credential_hash: Set(format!("satellite:{}:{}", sat.id, d.id)),
                    token_id: Set(None),
                    registered_at: Set(d.registered_at),
                    last_contact_at: Set(d.last_contact_at),
                    id_cert_serial: Set(d.id_cert_serial.clone()),
                    id_cert_expires_at: Set(d.id_cert_expires_at),
                    auth_expires_at: Set(d.auth_expires_at),
                    satellite_id: Set(Some(sat.id)),
                    satellite_instance_id: Set(Some(d.id)),
                    silent_after: Set(silent),
                    ..Default::default()
                }
                .insert(db)
                .await
                .map_err(|e| {
                    if crate::services::is_unique_violation(&e) {
                        AppError::validation(
                            "file",
                            format!(
                                "The device {} ({}) is registered in the portal itself; deregister it there first.",
                                d.hostname, d.sn
                            ),
                        )
                    } else {
                        e.into()
                    }
                })?
                .id
            }
        };
        portal_ids.insert(d.id, portal_id);
        move_usage(d.pool, &usage, 1);
        if !usage.is_empty() {
            instance_usage::Entity::insert_many(usage.iter().map(|(tag, count)| {
                instance_usage::ActiveModel {
                    product_instance_id: Set(portal_id),
                    virtual_account_id: Set(d.pool),
                    tag: Set(tag.clone()),
                    count: Set(*count),
                    ..Default::default()
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
    }
    for (sid, m) in &existing {
        if kept.contains(sid) {
            continue;
        }
        // Gone from the satellite (deregistered, removed, or moved out of its virtual accounts).
        move_usage(
            m.virtual_account_id,
            old_usage.get(&m.id).map_or(&[][..], Vec::as_slice),
            -1,
        );
        *counts.entry(m.virtual_account_id).or_default() -= 1;
        instance_usage::Entity::delete_many()
            .filter(instance_usage::Column::ProductInstanceId.eq(m.id))
            .exec(db)
            .await?;
        event::Entity::update_many()
            .col_expr(
                event::Column::ProductInstanceId,
                Expr::value(Option::<i64>::None),
            )
            .filter(event::Column::ProductInstanceId.eq(m.id))
            .exec(db)
            .await?;
        pi::Entity::delete_by_id(m.id).exec(db).await?;
    }
    // The counters, in the order every writer of them keeps: instance counts by pool, then usage
    // by (pool, tag).
    pools::move_instance_counts(db, &counts.into_iter().filter(|(_, n)| *n != 0).collect()).await?;
    for ((pool, tag), delta) in counters {
        usage::bump(db, pool, &tag, delta).await?;
    }
    token_uses(db, sat, served, &up.token_uses).await?;
    let mut last_event = sat.last_event_id;
    for e in up.events.iter().filter(|e| e.id > sat.last_event_id) {
        last_event = std::cmp::max(last_event, e.id);
        let Some(kind) = EventKind::parse(&e.kind) else {
            continue;
        };
        event::ActiveModel {
            smart_account_id: Set(sat.smart_account_id),
            virtual_account_id: Set(e.pool.filter(|p| served.contains(p))),
            at: Set(e.at),
            actor: Set(format!("{} via satellite \"{}\"", e.actor, sat.name)),
            kind: Set(kind),
            message: Set(e.message.clone()),
            product_instance_id: Set(e.instance.and_then(|i| portal_ids.get(&i).copied())),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    event::ActiveModel {
        smart_account_id: Set(sat.smart_account_id),
        virtual_account_id: Set(None),
        at: Set(now),
        actor: Set(format!("satellite \"{}\"", sat.name)),
        kind: Set(EventKind::SatelliteSynchronized),
        message: Set(format!(
            "Satellite \"{}\" synchronized ({} mode, file {}): {} product instances",
            sat.name,
            up.mode.label(),
            up.seq,
            kept.len()
        )),
        product_instance_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(last_event)
}

/// Adds each token's new registrations on the satellite to its uses.
/// The uses of each token the satellite reported so far, by token id.
async fn uses_reported(
    db: &impl ConnectionTrait,
    satellite: i64,
) -> Result<HashMap<i64, i64>, AppError> {
    Ok(satellite_token_use::Entity::find()
        .filter(satellite_token_use::Column::SatelliteId.eq(satellite))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.token_id, u.uses))
        .collect())
}

async fn token_uses(
    db: &impl ConnectionTrait,
    sat: &satellite::Model,
    served: &[i64],
    reported: &[(i64, i64)],
) -> Result<(), AppError> {
    let known = uses_reported(db, sat.id).await?;
    let ids: Vec<i64> = reported.iter().map(|(t, _)| *t).collect();
    let tokens: HashSet<i64> = token::Entity::find()
        .filter(token::Column::Id.is_in(ids))
        .filter(token::Column::VirtualAccountId.is_in(served.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for &(id, uses) in reported {
        let delta = uses - known.get(&id).copied().unwrap_or(0);
        if delta == 0 || !tokens.contains(&id) {
            continue;
        }
        token::Entity::update_many()
            .col_expr(
                token::Column::Uses,
                Expr::col(token::Column::Uses).add(i32::try_from(delta).unwrap_or(0)),
            )
            .filter(token::Column::Id.eq(id))
            .exec(db)
            .await?;
        satellite_token_use::Entity::insert(satellite_token_use::ActiveModel {
            satellite_id: Set(sat.id),
            token_id: Set(id),
            uses: Set(uses),
        })
        .on_conflict(
            OnConflict::columns([
                satellite_token_use::Column::SatelliteId,
                satellite_token_use::Column::TokenId,
            ])
            .update_column(satellite_token_use::Column::Uses)
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
