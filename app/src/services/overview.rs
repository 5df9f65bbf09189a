//! The Overview, the page after sign-in: per virtual account the user sees, what it holds and uses
//! and what needs attention (counted from the same alerts as the Alerts page), and licenses in use
//! against purchased over the last 90 days (the daily snapshots, with today from the live counters).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::alerts::{AlertKind, AlertSource};
use crate::domain::roles::Actor;
use crate::entities::pool_usage;
use crate::error::AppError;
use crate::model::{Overview, OverviewPool, UsagePoint};
use crate::services::alerts::{self, AlertFilter};
use crate::services::{pools, snapshots};

/// How far back the chart goes.
pub const HISTORY_DAYS: i64 = 90;

/// In use per pool, summed over licenses.
async fn in_use(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, Option<i64>)> = pool_usage::Entity::find()
        .select_only()
        .column(pool_usage::Column::VirtualAccountId)
        .column_as(
            Expr::col(pool_usage::Column::InUse)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "in_use",
        )
        .filter(pool_usage::Column::VirtualAccountId.is_in(ids.to_vec()))
        .group_by(pool_usage::Column::VirtualAccountId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(p, n)| (p, n.unwrap_or(0))).collect())
}

pub async fn overview(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Overview, AppError> {
    let rows = pools::list(db, actor, now).await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let used = in_use(db, &ids).await?;
    let mut by_pool: HashMap<i64, OverviewPool> = rows
        .iter()
        .map(|p| {
            (
                p.id,
                OverviewPool {
                    id: p.id,
                    name: p.name.clone(),
                    purchased: p.licenses,
                    in_use: used.get(&p.id).copied().unwrap_or(0),
                    instances: p.instances,
                    short: 0,
                    expiring: 0,
                    expired: 0,
                    failing: 0,
                    tokens_expiring: 0,
                },
            )
        })
        .collect();
    for alert in alerts::list(db, actor, AlertFilter::default(), now).await? {
        let Some(row) = by_pool.get_mut(&alert.pool_id) else {
            continue;
        };
        let instances = match &alert.source {
            AlertSource::Instances { count, .. } => *count,
            _ => 1,
        };
        match alert.kind {
            AlertKind::InsufficientLicenses => row.short += 1,
            AlertKind::LicensesExpiring => row.expiring += 1,
            AlertKind::LicensesExpired => row.expired += 1,
            AlertKind::InstanceFailedToConnect | AlertKind::InstanceFailedToRenew => {
                row.failing += instances
            }
            AlertKind::TokenExpiring => row.tokens_expiring += 1,
            AlertKind::SatelliteNotSynchronized | AlertKind::ShortageExpected => {}
        }
    }
    let pools: Vec<OverviewPool> = rows.iter().filter_map(|p| by_pool.remove(&p.id)).collect();

    let today = now.date_naive();
    let mut history: Vec<UsagePoint> =
        snapshots::history(db, &ids, None, today - Duration::days(HISTORY_DAYS))
            .await?
            .into_iter()
            .filter(|d| d.day < today)
            .map(|d| UsagePoint {
                day: d.day,
                purchased: d.purchased,
                in_use: d.in_use,
            })
            .collect();
    if !history.is_empty() {
        history.push(UsagePoint {
            day: today,
            purchased: pools.iter().map(|p| p.purchased).sum(),
            in_use: pools.iter().map(|p| p.in_use).sum(),
        });
    }
    Ok(Overview {
        can_resolve: rows.iter().filter(|p| p.can_change).count() >= 2,
        pools,
        history,
    })
}
