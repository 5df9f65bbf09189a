//! The response file's payload: the served virtual accounts' licenses (every lot, and what is in use
//! elsewhere) and tokens (with their uses elsewhere), as they are when the sync is applied.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::satellites::{
    DownLicense, DownLot, DownPayload, DownPool, DownToken, DEFAULT_SYNC_INTERVAL_SECS,
};
use crate::entities::{
    instance_usage, license, license_lot, pool_usage, product_instance as pi, satellite,
    smart_account, token, virtual_account,
};
use crate::error::AppError;

/// The response: the served virtual accounts' licenses and tokens as they are now.
pub(super) async fn response(
    db: &impl ConnectionTrait,
    sat: &satellite::Model,
    served: &[i64],
    (in_reply_to, seq, events_acknowledged): (i64, i64, i64),
    now: DateTime<Utc>,
) -> Result<DownPayload, AppError> {
    let account = smart_account::Entity::find_by_id(sat.smart_account_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let pools = virtual_account::Entity::find()
        .filter(virtual_account::Column::Id.is_in(served.to_vec()))
        .all(db)
        .await?;
    let lots = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.is_in(served.to_vec()))
        .all(db)
        .await?;
    let catalogue: HashMap<i64, license::Model> = license::Entity::find()
        .filter(license::Column::Id.is_in(lots.iter().map(|l| l.license_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let in_use: Vec<pool_usage::Model> = pool_usage::Entity::find()
        .filter(pool_usage::Column::VirtualAccountId.is_in(served.to_vec()))
        .all(db)
        .await?;
    // What the satellite's own devices use, per (pool, tag): the rest is in use elsewhere.
    let devices = sea_orm::sea_query::Query::select()
        .column(pi::Column::Id)
        .from(pi::Entity)
        .and_where(pi::Column::SatelliteId.eq(sat.id))
        .to_owned();
    let mine: Vec<(i64, String, i64)> = instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.in_subquery(devices))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.virtual_account_id, u.tag, u.count))
        .collect();
    let mut own: HashMap<(i64, String), i64> = HashMap::new();
    for (pool, tag, count) in mine {
        *own.entry((pool, tag)).or_default() += count;
    }
    let tokens = token::Entity::find()
        .filter(token::Column::VirtualAccountId.is_in(served.to_vec()))
        .all(db)
        .await?;
    let reported = super::uses_reported(db, sat.id).await?;
    let down_pools = pools
        .into_iter()
        .map(|p| {
            let mut licenses: BTreeMap<String, DownLicense> = BTreeMap::new();
            for l in lots.iter().filter(|l| l.virtual_account_id == p.id) {
                let Some(c) = catalogue.get(&l.license_id) else {
                    continue;
                };
                licenses
                    .entry(c.tag.clone())
                    .or_insert_with(|| DownLicense {
                        tag: c.tag.clone(),
                        name: c.name.clone(),
                        product_family: c.product_family.clone(),
                        lots: Vec::new(),
                        in_use_elsewhere: 0,
                    })
                    .lots
                    .push(DownLot {
                        quantity: l.quantity,
                        starts_at: l.starts_at,
                        ends_at: l.ends_at,
                    });
            }
            for u in in_use.iter().filter(|u| u.virtual_account_id == p.id) {
                let elsewhere = u.in_use - own.get(&(p.id, u.tag.clone())).copied().unwrap_or(0);
                licenses
                    .entry(u.tag.clone())
                    .or_insert_with(|| DownLicense {
                        tag: u.tag.clone(),
                        name: String::new(),
                        product_family: String::new(),
                        lots: Vec::new(),
                        in_use_elsewhere: 0,
                    })
                    .in_use_elsewhere = std::cmp::max(elsewhere, 0);
            }
            let tokens = tokens
                .iter()
                .filter(|t| t.virtual_account_id == p.id)
                .map(|t| DownToken {
                    id: t.id,
                    token: t.token.clone(),
                    description: t.description.clone(),
                    created_by: t.created_by.clone(),
                    created_at: t.created_at,
                    expires_at: t.expires_at,
                    max_uses: t.max_uses,
                    uses_elsewhere: std::cmp::max(
                        i64::from(t.uses) - reported.get(&t.id).copied().unwrap_or(0),
                        0,
                    ),
                    allow_export_controlled: t.allow_export_controlled,
                    revoked_at: t.revoked_at,
                    revoke_reason: t.revoke_reason.clone(),
                })
                .collect();
            DownPool {
                id: p.id,
                name: p.name,
                description: p.description,
                licenses: licenses.into_values().collect(),
                tokens,
            }
        })
        .collect();
    Ok(DownPayload {
        satellite_id: sat.id,
        seq,
        in_reply_to,
        generated_at: now,
        account_id: account.id,
        account: account.name,
        pools: down_pools,
        events_acknowledged,
        sync_interval_secs: DEFAULT_SYNC_INTERVAL_SECS,
    })
}
