//! Satellites, portal side: register one (its registration file, shown once), list them with their
//! state, take their sync files (`receive`); and the satellite's own side (`mirror`): its identity,
//! the files it writes and the responses it applies.

pub mod envelope;
pub mod mirror;
mod receive;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::domain::satellites::{
    parse_name, FileKind, Registration, SatelliteMode, SatelliteState, DEFAULT_SYNC_INTERVAL_SECS,
};
use crate::entities::{product_instance as pi, satellite, satellite_pool, virtual_account};
use crate::error::AppError;
use crate::model::{IssuedSatellite, NewSatelliteForm, SatelliteList, SatelliteRow};
use crate::services::signing::Signer;

use super::events::record_account as record;
use super::{is_unique_violation, pools, require, secrets};

pub use receive::{receive, Received};

/// Registers a satellite for some of the account's virtual accounts; the answer carries its
/// registration file (with a one-time secret, only its hash kept), shown once.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    signer: &Signer,
    actor: &Actor,
    form: &NewSatelliteForm,
    portal_url: &str,
    now: DateTime<Utc>,
) -> Result<IssuedSatellite, AppError> {
    require(actor, Action::ManageSatellites)?;
    let name = parse_name(&form.name)?;
    let mut ids = form.pools.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::validation(
            "pools",
            "Choose the virtual accounts the satellite serves.",
        ));
    }
    let visible = pools::refs(db, actor).await?;
    let names: Vec<String> = ids
        .iter()
        .map(|id| visible.iter().find(|p| p.id == *id).map(|p| p.name.clone()))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            AppError::validation("pools", "A chosen virtual account no longer exists.")
        })?;
    let secret = secrets::random_secret("sat");
    let txn = crate::services::begin_writing(db).await?;
    let row = satellite::ActiveModel {
        smart_account_id: Set(actor.smart_account_id),
        name: Set(name.clone()),
        created_at: Set(now),
        created_by: Set(actor.who()),
        secret_hash: Set(Some(secrets::sha256_hex(&secret))),
        public_key: Set(None),
        mode: Set(None),
        registered_at: Set(None),
        last_sync_at: Set(None),
        last_up_seq: Set(0),
        down_seq: Set(0),
        last_event_id: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::validation(
                "name",
                format!("A satellite named \"{name}\" already exists."),
            )
        } else {
            e.into()
        }
    })?;
    for id in &ids {
        satellite_pool::ActiveModel {
            satellite_id: Set(row.id),
            virtual_account_id: Set(*id),
        }
        .insert(&txn)
        .await?;
    }
    record(
        &txn,
        actor,
        EventKind::SatelliteRegistered,
        format!("Satellite \"{name}\" registered for {}", names.join(", ")),
        now,
    )
    .await?;
    txn.commit().await?;
    let account = crate::entities::smart_account::Entity::find_by_id(actor.smart_account_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let registration = envelope::seal(
        signer,
        FileKind::Registration,
        &Registration {
            satellite_id: row.id,
            name: name.clone(),
            account: account.name,
            portal_url: portal_url.trim_end_matches('/').to_owned(),
            portal_public_key: signer.public_b64(),
            secret,
            pools: names.clone(),
        },
    );
    Ok(IssuedSatellite {
        row: to_row(row, names, 0, now),
        registration,
        portal_url: portal_url.trim_end_matches('/').to_owned(),
    })
}

/// The account's satellites, by name, with the virtual accounts the form offers.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<SatelliteList, AppError> {
    require(actor, Action::ManageSatellites)?;
    let rows = satellite::Entity::find()
        .filter(satellite::Column::SmartAccountId.eq(actor.smart_account_id))
        .order_by_asc(satellite::Column::Name)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let names = pool_names(db, &ids).await?;
    let counts: HashMap<i64, i64> = pi::Entity::find()
        .select_only()
        .column(pi::Column::SatelliteId)
        .column_as(pi::Column::Id.count(), "n")
        .filter(pi::Column::SatelliteId.is_in(ids))
        .group_by(pi::Column::SatelliteId)
        .into_tuple::<(Option<i64>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(s, n)| s.map(|s| (s, n)))
        .collect();
    let satellites = rows
        .into_iter()
        .map(|s| {
            let pools = names.get(&s.id).cloned().unwrap_or_default();
            let n = counts.get(&s.id).copied().unwrap_or(0);
            to_row(s, pools, n, now)
        })
        .collect();
    let pools = pools::refs(db, actor)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(SatelliteList { satellites, pools })
}

/// The names of the virtual accounts each satellite serves.
async fn pool_names(
    db: &impl ConnectionTrait,
    satellites: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let grants = satellite_pool::Entity::find()
        .filter(satellite_pool::Column::SatelliteId.is_in(satellites.to_vec()))
        .all(db)
        .await?;
    let pools: HashMap<i64, String> = virtual_account::Entity::find()
        .filter(
            virtual_account::Column::Id.is_in(
                grants
                    .iter()
                    .map(|g| g.virtual_account_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for g in grants {
        if let Some(name) = pools.get(&g.virtual_account_id) {
            names.entry(g.satellite_id).or_default().push(name.clone());
        }
    }
    for list in names.values_mut() {
        list.sort();
    }
    Ok(names)
}

/// The names of the satellites with ids `ids` (the Product Instances tab's "via …").
pub async fn names_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(satellite::Entity::find()
        .filter(satellite::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The state of a satellite at `now`.
pub fn state_of(s: &satellite::Model, now: DateTime<Utc>) -> SatelliteState {
    SatelliteState::of(
        s.last_sync_at,
        Duration::seconds(DEFAULT_SYNC_INTERVAL_SECS),
        now,
    )
}

fn to_row(
    s: satellite::Model,
    pools: Vec<String>,
    instances: i64,
    now: DateTime<Utc>,
) -> SatelliteRow {
    SatelliteRow {
        state: state_of(&s, now),
        mode: s
            .mode
            .as_deref()
            .and_then(SatelliteMode::parse)
            .map_or("—", SatelliteMode::label)
            .to_owned(),
        id: s.id,
        name: s.name,
        pools,
        created_at: s.created_at,
        last_sync_at: s.last_sync_at,
        instances,
    }
}
