//! The satellite's own page: its identity, its last synchronisation, and per virtual account the
//! licenses (active, in use) and devices it serves.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::domain::alerts::SATELLITE_GRACE_DAYS;
use crate::domain::satellites::SatelliteMode;
use crate::entities::{product_instance as pi, virtual_account};
use crate::error::AppError;
use crate::services::usage;

use super::config;

/// What the satellite's own page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatelliteStatus {
    pub name: String,
    pub account: String,
    pub mode: SatelliteMode,
    pub upstream: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_sync_error: Option<String>,
    pub files_written: i64,
    pub responses_applied: i64,
    pub pools: Vec<PoolStatus>,
    /// More than 90 days without a sync: the portal shows its devices as failed to connect.
    pub out_of_sync: bool,
}

/// A virtual account on the satellite's page: its name, its licenses (tag, active, in use), its
/// devices.
pub type PoolStatus = (String, Vec<(String, i64, i64)>, i64);

/// The satellite's state now.
pub async fn status(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<SatelliteStatus, AppError> {
    let cfg = config(db).await?;
    let mut pools = Vec::new();
    for p in virtual_account::Entity::find()
        .order_by_asc(virtual_account::Column::Name)
        .all(db)
        .await?
    {
        let active = usage::active_quantity(db, p.id, None, now).await?;
        let in_use = usage::in_use(db, p.id, None).await?;
        let mut tags: Vec<String> = active.keys().chain(in_use.keys()).cloned().collect();
        tags.sort();
        tags.dedup();
        let licenses = tags
            .into_iter()
            .map(|t| {
                let a = active.get(&t).copied().unwrap_or(0);
                let u = in_use.get(&t).copied().unwrap_or(0);
                (t, a, u)
            })
            .collect();
        let devices = pi::Entity::find()
            .filter(pi::Column::VirtualAccountId.eq(p.id))
            .count(db)
            .await? as i64;
        pools.push((p.name, licenses, devices));
    }
    Ok(SatelliteStatus {
        out_of_sync: cfg
            .last_sync_at
            .is_none_or(|at| now - at > Duration::days(SATELLITE_GRACE_DAYS)),
        name: cfg.name,
        account: cfg.account_name,
        mode: SatelliteMode::parse(&cfg.mode).unwrap_or(SatelliteMode::Offline),
        upstream: cfg.upstream_url,
        last_sync_at: cfg.last_sync_at,
        last_sync_error: cfg.last_sync_error,
        files_written: cfg.up_seq,
        responses_applied: cfg.last_down_seq,
        pools,
    })
}
