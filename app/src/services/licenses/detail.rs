//! One license in one pool: its lots, its usage per virtual account, the instances using it and its
//! transfer history. A fixed number of queries, whatever the size of the account.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};

use crate::domain::licenses::{LotState, Standing};
use crate::domain::roles::{Action, Actor};
use crate::entities::{
    instance_usage, license_lot, license_transfer, pool_usage, product_instance, virtual_account,
};
use crate::error::AppError;
use crate::model::{
    LicenseDetail, LicenseInstanceRow, LicenseLotRow, LicensePoolUsage, LicenseTransferRow,
};
use crate::services::{pools, usage};

use super::{find_license, list::row_of};
use crate::domain::licenses::sql::lot_is_active;

/// Instances and transfers shown at most.
const SHOWN: u64 = 50;

/// The license detail of `license_id` in `pool`.
pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    license_id: i64,
    now: DateTime<Utc>,
) -> Result<LicenseDetail, AppError> {
    crate::services::require(actor, Action::ViewPool(pool))?;
    pools::find_visible(db, actor, pool).await?;
    let license = find_license(db, license_id).await?;
    let lots = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.eq(pool))
        .filter(license_lot::Column::LicenseId.eq(license_id))
        .order_by_asc(license_lot::Column::StartsAt)
        .order_by_asc(license_lot::Column::Id)
        .all(db)
        .await?;
    let tags = [license.tag.clone()];
    let in_use = usage::in_use(db, pool, Some(&tags))
        .await?
        .get(&license.tag)
        .copied()
        .unwrap_or(0);
    let standing = Standing::of_lots(
        lots.iter().map(|l| (l.starts_at, l.ends_at, l.quantity)),
        in_use,
        now,
    );
    let row = row_of(
        Some(license.id),
        license.tag.clone(),
        Some(license.name),
        Some(license.product_family),
        standing,
        now,
    );
    let lots = lots
        .into_iter()
        .map(|l| LicenseLotRow {
            state: LotState::at(l.starts_at, l.ends_at, now),
            id: l.id,
            quantity: l.quantity,
            starts_at: l.starts_at,
            ends_at: l.ends_at,
            source_ref: l.source_ref,
        })
        .collect();
    let (instances, more_instances) = instances(db, pool, &license.tag).await?;
    let row_now = (row.purchased, row.in_use);
    Ok(LicenseDetail {
        row,
        lots,
        usage: usage_by_pool(db, actor, pool, license_id, &license.tag, now).await?,
        instances,
        more_instances,
        transfers: transfers(db, actor, pool, license_id).await?,
        history: history(db, pool, &license.tag, &row_now, now).await?,
    })
}

/// The license's days in the pool (the snapshots), and today from the row.
async fn history(
    db: &impl ConnectionTrait,
    pool: i64,
    tag: &str,
    today: &(i64, i64),
    now: DateTime<Utc>,
) -> Result<Vec<crate::model::UsagePoint>, AppError> {
    let day = now.date_naive();
    let since = day - chrono::Duration::days(crate::services::overview::HISTORY_DAYS);
    let mut points: Vec<crate::model::UsagePoint> =
        crate::services::snapshots::history(db, &[pool], Some(tag), since)
            .await?
            .into_iter()
            .filter(|d| d.day < day)
            .map(|d| crate::model::UsagePoint {
                day: d.day,
                purchased: d.purchased,
                in_use: d.in_use,
            })
            .collect();
    if !points.is_empty() {
        points.push(crate::model::UsagePoint {
            day,
            purchased: today.0,
            in_use: today.1,
        });
    }
    Ok(points)
}

/// Purchased and in use in each pool the actor sees that holds or uses the license (and `pool`).
async fn usage_by_pool(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    license_id: i64,
    tag: &str,
    now: DateTime<Utc>,
) -> Result<Vec<LicensePoolUsage>, AppError> {
    let refs = pools::refs(db, actor).await?;
    let ids: Vec<i64> = refs.iter().map(|p| p.id).collect();
    let purchased: HashMap<i64, Option<i64>> = license_lot::Entity::find()
        .select_only()
        .column(license_lot::Column::VirtualAccountId)
        .column_as(
            Expr::col(license_lot::Column::Quantity)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "q",
        )
        .filter(license_lot::Column::LicenseId.eq(license_id))
        .filter(license_lot::Column::VirtualAccountId.is_in(ids.clone()))
        .filter(lot_is_active(now))
        .group_by(license_lot::Column::VirtualAccountId)
        .into_tuple::<(i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let in_use: HashMap<i64, i64> = pool_usage::Entity::find()
        .filter(pool_usage::Column::Tag.eq(tag))
        .filter(pool_usage::Column::VirtualAccountId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.virtual_account_id, u.in_use))
        .collect();
    Ok(refs
        .into_iter()
        .map(|p| LicensePoolUsage {
            purchased: purchased.get(&p.id).copied().flatten().unwrap_or(0),
            in_use: in_use.get(&p.id).copied().unwrap_or(0),
            pool_id: p.id,
            pool: p.name,
        })
        .filter(|u| u.pool_id == pool || u.purchased != 0 || u.in_use != 0)
        .collect())
}

fn usage_instance() -> RelationDef {
    instance_usage::Entity::belongs_to(product_instance::Entity)
        .from(instance_usage::Column::ProductInstanceId)
        .to(product_instance::Column::Id)
        .into()
}

/// The pool's instances using the tag, by hostname; true when there are more than shown.
async fn instances(
    db: &impl ConnectionTrait,
    pool: i64,
    tag: &str,
) -> Result<(Vec<LicenseInstanceRow>, bool), AppError> {
    let mut rows: Vec<(i64, String, String, String, i64)> = instance_usage::Entity::find()
        .select_only()
        .column(product_instance::Column::Id)
        .column(product_instance::Column::Hostname)
        .column(product_instance::Column::Pid)
        .column(product_instance::Column::Sn)
        .column(instance_usage::Column::Count)
        .join(JoinType::InnerJoin, usage_instance())
        .filter(instance_usage::Column::VirtualAccountId.eq(pool))
        .filter(instance_usage::Column::Tag.eq(tag))
        .order_by_asc(product_instance::Column::Hostname)
        .order_by_asc(product_instance::Column::Id)
        .limit(SHOWN + 1)
        .into_tuple()
        .all(db)
        .await?;
    let more = rows.len() as u64 > SHOWN;
    rows.truncate(SHOWN as usize);
    let rows = rows
        .into_iter()
        .map(|(id, hostname, pid, sn, count)| LicenseInstanceRow {
            udi: crate::protocol::Udi { pid, sn }.to_string(),
            id,
            hostname,
            count,
        })
        .collect();
    Ok((rows, more))
}

/// Transfers of the license in or out of the pool, newest first, with the pools' names.
async fn transfers(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    license_id: i64,
) -> Result<Vec<LicenseTransferRow>, AppError> {
    let rows = license_transfer::Entity::find()
        .filter(license_transfer::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(license_transfer::Column::LicenseId.eq(license_id))
        .filter(
            Condition::any()
                .add(license_transfer::Column::FromVirtualAccountId.eq(pool))
                .add(license_transfer::Column::ToVirtualAccountId.eq(pool)),
        )
        .order_by_desc(license_transfer::Column::Id)
        .limit(SHOWN)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|t| [t.from_virtual_account_id, t.to_virtual_account_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(virtual_account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let name = |id: i64| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "(deleted virtual account)".to_owned())
    };
    Ok(rows
        .into_iter()
        .map(|t| LicenseTransferRow {
            from_pool: name(t.from_virtual_account_id),
            to_pool: name(t.to_virtual_account_id),
            id: t.id,
            at: t.at,
            quantity: t.quantity,
            actor: t.actor,
        })
        .collect())
}
