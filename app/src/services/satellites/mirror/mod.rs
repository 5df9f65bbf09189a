//! The satellite's own side. A satellite is this same portal on its own database: it serves the
//! device API from a mirror of the virtual accounts it serves (their smart account, licenses and
//! tokens, as the portal's last response said), and owns the devices registered through it.
//!
//! `init` pins the portal's key from the registration file; `export_up` writes the next sync file
//! (every device as it is now, the registrations per token, events not yet acknowledged);
//! `import_down` applies a response file: the mirror is replaced by what the portal sent, and each
//! pool counter keeps the satellite's own usage plus what is in use elsewhere, so that compliance
//! between syncs counts every device of the pool.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::satellites::{
    check_sequence, DownPayload, FileKind, Registration, SatelliteEvent, SatelliteInstance,
    SatelliteMode, Sequence, SyncRefusal, UpPayload,
};
use crate::entities::{
    event, instance_usage, license, license_lot, product_instance as pi, satellite_config,
    satellite_token_baseline, satellite_usage_elsewhere, smart_account, token, virtual_account,
};
use crate::error::AppError;
use crate::services::signing::Signer;
use crate::services::usage;

use super::envelope;

mod status;
pub use status::{status, PoolStatus, SatelliteStatus};

/// The satellite's identity, or an error saying it is not set up.
pub async fn config(db: &impl ConnectionTrait) -> Result<satellite_config::Model, AppError> {
    satellite_config::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "satellite",
                "This data folder holds no satellite: run `server satellite init` first.",
            )
        })
}

/// Sets this database up as the satellite a registration file names: network mode towards
/// `upstream`, or air-gapped when `upstream` is None. The portal's key in the file is pinned.
pub async fn init(
    db: &impl ConnectionTrait,
    registration: &str,
    upstream: Option<&str>,
    now: DateTime<Utc>,
) -> Result<satellite_config::Model, AppError> {
    let opened = envelope::open::<Registration>(registration, FileKind::Registration)?;
    let key = opened.payload.portal_public_key.clone();
    let r = opened.trusted(&key)?;
    if let Some(existing) = satellite_config::Entity::find_by_id(1).one(db).await? {
        return Err(AppError::validation(
            "registration",
            format!(
                "This data folder is the satellite \"{}\" already; use a new data folder for another.",
                existing.name
            ),
        ));
    }
    let mode = if upstream.is_some() {
        SatelliteMode::Network
    } else {
        SatelliteMode::Offline
    };
    Ok(satellite_config::ActiveModel {
        id: Set(1),
        satellite_id: Set(r.satellite_id),
        name: Set(r.name),
        account_name: Set(r.account),
        upstream_url: Set(upstream.map(|u| u.trim_end_matches('/').to_owned())),
        mode: Set(mode.as_str().to_owned()),
        portal_public_key: Set(key),
        secret: Set(Some(r.secret)),
        up_seq: Set(0),
        last_down_seq: Set(0),
        acked_event_id: Set(0),
        sync_interval_secs: Set(crate::domain::satellites::DEFAULT_SYNC_INTERVAL_SECS),
        last_sync_at: Set(None),
        last_sync_error: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// The next sync file, and its number.
pub async fn export_up(
    db: &(impl ConnectionTrait + TransactionTrait),
    signer: &Signer,
    now: DateTime<Utc>,
) -> Result<(String, i64), AppError> {
    let txn = crate::services::begin_writing(db).await?;
    let cfg = config(&txn).await?;
    let seq = cfg.up_seq + 1;
    let mut row: satellite_config::ActiveModel = cfg.clone().into();
    row.up_seq = Set(seq);
    row.update(&txn).await?;
    let devices = pi::Entity::find()
        .order_by_asc(pi::Column::Id)
        .all(&txn)
        .await?;
    let mut usage: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for u in instance_usage::Entity::find()
        .order_by_asc(instance_usage::Column::Tag)
        .all(&txn)
        .await?
    {
        usage
            .entry(u.product_instance_id)
            .or_default()
            .push((u.tag, u.count));
    }
    let instances = devices
        .into_iter()
        .map(|d| SatelliteInstance {
            usage: usage.remove(&d.id).unwrap_or_default(),
            id: d.id,
            pool: d.virtual_account_id,
            pid: d.pid,
            sn: d.sn,
            hostname: d.hostname,
            product: d.product,
            software_version: d.software_version,
            token_id: d.token_id,
            registered_at: d.registered_at,
            last_contact_at: d.last_contact_at,
            id_cert_serial: d.id_cert_serial,
            id_cert_expires_at: d.id_cert_expires_at,
            auth_expires_at: d.auth_expires_at,
        })
        .collect();
    let baselines: HashMap<i64, i64> = satellite_token_baseline::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|b| (b.token_id, b.uses_elsewhere))
        .collect();
    let token_uses = token::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| {
            let mine = i64::from(t.uses) - baselines.get(&t.id).copied().unwrap_or(0);
            (t.id, mine.max(0))
        })
        .filter(|(_, uses)| *uses > 0)
        .collect();
    let events = event::Entity::find()
        .filter(event::Column::Id.gt(cfg.acked_event_id))
        .order_by_asc(event::Column::Id)
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| SatelliteEvent {
            id: e.id,
            at: e.at,
            pool: e.virtual_account_id,
            actor: e.actor,
            kind: e.kind.as_str().to_owned(),
            message: e.message,
            instance: e.product_instance_id,
        })
        .collect();
    let up = UpPayload {
        satellite_id: cfg.satellite_id,
        seq,
        generated_at: now,
        mode: SatelliteMode::parse(&cfg.mode).unwrap_or(SatelliteMode::Offline),
        public_key: signer.public_b64(),
        secret: cfg.secret.clone(),
        applied_down_seq: cfg.last_down_seq,
        instances,
        token_uses,
        events,
    };
    txn.commit().await?;
    Ok((envelope::seal(signer, FileKind::Up, &up), seq))
}

/// What importing a response file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub seq: i64,
    /// The same file again: nothing changed.
    pub repeat: bool,
}

/// Applies a response file of the portal: refused when not signed by the pinned portal key, meant
/// for another satellite, or older than the last applied; the same file again changes nothing.
pub async fn import_down(
    db: &(impl ConnectionTrait + TransactionTrait),
    text: &str,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    let cfg = config(db).await?;
    let down =
        envelope::open::<DownPayload>(text, FileKind::Down)?.trusted(&cfg.portal_public_key)?;
    if down.satellite_id != cfg.satellite_id {
        return Err(SyncRefusal::Foreign(down.satellite_id).into());
    }
    let txn = crate::services::begin_writing(db).await?;
    let cfg = config(&txn).await?;
    if check_sequence(down.seq, cfg.last_down_seq)? == Sequence::Repeat {
        return Ok(Imported {
            seq: down.seq,
            repeat: true,
        });
    }
    mirror(&txn, &down, now).await?;
    let mut row: satellite_config::ActiveModel = cfg.into();
    row.last_down_seq = Set(down.seq);
    row.acked_event_id = Set(down.events_acknowledged);
    row.secret = Set(None);
    row.last_sync_at = Set(Some(now));
    row.last_sync_error = Set(None);
    row.sync_interval_secs = Set(down.sync_interval_secs);
    row.account_name = Set(down.account.clone());
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(Imported {
        seq: down.seq,
        repeat: false,
    })
}

/// Replaces the mirror with the response's virtual accounts, licenses and tokens.
async fn mirror(
    db: &impl ConnectionTrait,
    down: &DownPayload,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    smart_account::Entity::insert(smart_account::ActiveModel {
        id: Set(down.account_id),
        name: Set(down.account.clone()),
        created_at: Set(now),
        require_two_factor: Set(false),
    })
    .on_conflict(
        OnConflict::column(smart_account::Column::Id)
            .update_column(smart_account::Column::Name)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let elsewhere: HashMap<(i64, String), i64> = satellite_usage_elsewhere::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| ((u.virtual_account_id, u.tag), u.in_use))
        .collect();
    let baselines: HashMap<i64, i64> = satellite_token_baseline::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.token_id, b.uses_elsewhere))
        .collect();
    for pool in &down.pools {
        virtual_account::Entity::insert(virtual_account::ActiveModel {
            id: Set(pool.id),
            smart_account_id: Set(down.account_id),
            name: Set(pool.name.clone()),
            description: Set(pool.description.clone()),
            is_default: Set(false),
            created_at: Set(now),
            instance_count: Set(0),
        })
        .on_conflict(
            OnConflict::column(virtual_account::Column::Id)
                .update_columns([
                    virtual_account::Column::Name,
                    virtual_account::Column::Description,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        license_lot::Entity::delete_many()
            .filter(license_lot::Column::VirtualAccountId.eq(pool.id))
            .exec(db)
            .await?;
        for l in &pool.licenses {
            let id = catalogue_id(db, &l.tag, &l.name, &l.product_family).await?;
            for lot in &l.lots {
                license_lot::ActiveModel {
                    virtual_account_id: Set(pool.id),
                    license_id: Set(id),
                    quantity: Set(lot.quantity),
                    starts_at: Set(lot.starts_at),
                    ends_at: Set(lot.ends_at),
                    source_ref: Set("from the portal".to_owned()),
                    origin_lot_id: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            let key = (pool.id, l.tag.clone());
            let delta = l.in_use_elsewhere - elsewhere.get(&key).copied().unwrap_or(0);
            usage::bump(db, pool.id, &l.tag, delta).await?;
            satellite_usage_elsewhere::Entity::insert(satellite_usage_elsewhere::ActiveModel {
                virtual_account_id: Set(pool.id),
                tag: Set(l.tag.clone()),
                in_use: Set(l.in_use_elsewhere),
            })
            .on_conflict(
                OnConflict::columns([
                    satellite_usage_elsewhere::Column::VirtualAccountId,
                    satellite_usage_elsewhere::Column::Tag,
                ])
                .update_column(satellite_usage_elsewhere::Column::InUse)
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
        for t in &pool.tokens {
            let current = token::Entity::find_by_id(t.id).one(db).await?;
            let mine = current.as_ref().map_or(0, |c| {
                (i64::from(c.uses) - baselines.get(&t.id).copied().unwrap_or(0)).max(0)
            });
            let uses = i32::try_from(t.uses_elsewhere + mine).unwrap_or(i32::MAX);
            token::Entity::insert(token::ActiveModel {
                id: Set(t.id),
                virtual_account_id: Set(pool.id),
                token: Set(t.token.clone()),
                description: Set(t.description.clone()),
                created_by: Set(t.created_by.clone()),
                created_at: Set(t.created_at),
                expires_at: Set(t.expires_at),
                max_uses: Set(t.max_uses),
                uses: Set(uses),
                allow_export_controlled: Set(t.allow_export_controlled),
                revoked_at: Set(t.revoked_at),
                revoke_reason: Set(t.revoke_reason.clone()),
            })
            .on_conflict(
                OnConflict::column(token::Column::Id)
                    .update_columns([
                        token::Column::Description,
                        token::Column::ExpiresAt,
                        token::Column::MaxUses,
                        token::Column::Uses,
                        token::Column::AllowExportControlled,
                        token::Column::RevokedAt,
                        token::Column::RevokeReason,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            satellite_token_baseline::Entity::insert(satellite_token_baseline::ActiveModel {
                token_id: Set(t.id),
                uses_elsewhere: Set(t.uses_elsewhere),
            })
            .on_conflict(
                OnConflict::column(satellite_token_baseline::Column::TokenId)
                    .update_column(satellite_token_baseline::Column::UsesElsewhere)
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

/// The id of the catalogue's license for `tag`, added when the satellite has none yet.
async fn catalogue_id(
    db: &impl ConnectionTrait,
    tag: &str,
    name: &str,
    family: &str,
) -> Result<i64, AppError> {
    if let Some(found) = license::Entity::find()
        .filter(license::Column::Tag.eq(tag))
        .one(db)
        .await?
    {
        return Ok(found.id);
    }
    Ok(license::ActiveModel {
        tag: Set(tag.to_owned()),
        name: Set(name.to_owned()),
        product_family: Set(family.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

/// Records a failed network sync, for the satellite's page.
pub async fn sync_failed(db: &impl ConnectionTrait, error: &str) -> Result<(), AppError> {
    let cfg = config(db).await?;
    let mut row: satellite_config::ActiveModel = cfg.into();
    row.last_sync_error = Set(Some(error.to_owned()));
    row.update(db).await?;
    Ok(())
}
