//! License usage by product instances. Each instance's usage is a set of rows (tag, count); each pool
//! keeps a counter per tag (`pool_usages.in_use`) changed in the same transaction, so that compliance
//! and the Licenses tab read one row per tag instead of summing over instances.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef, Set,
};

use crate::domain::licenses::sql::lot_is_active;
use crate::entities::{instance_usage, license, license_lot, pool_usage};
use crate::error::AppError;

/// Adds `delta` to the pool's counter of `tag`.
pub(crate) async fn bump(
    db: &impl ConnectionTrait,
    pool: i64,
    tag: &str,
    delta: i64,
) -> Result<(), sea_orm::DbErr> {
    if delta == 0 {
        return Ok(());
    }
    pool_usage::Entity::insert(pool_usage::ActiveModel {
        virtual_account_id: Set(pool),
        tag: Set(tag.to_owned()),
        in_use: Set(delta),
    })
    .on_conflict(
        OnConflict::columns([
            pool_usage::Column::VirtualAccountId,
            pool_usage::Column::Tag,
        ])
        .value(
            pool_usage::Column::InUse,
            Expr::col((pool_usage::Entity, pool_usage::Column::InUse)).add(delta),
        )
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The instance's current usage, tag → count.
pub async fn of_instance(
    db: &impl ConnectionTrait,
    instance: i64,
) -> Result<BTreeMap<String, i64>, AppError> {
    Ok(instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.eq(instance))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.tag, u.count))
        .collect())
}

/// How each pool counter moves when an instance's usage goes from `current` to `wanted` (tag →
/// count; a count of 0 drops the tag), in tag order; tags that do not move are left out.
pub fn deltas(
    current: &BTreeMap<String, i64>,
    wanted: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let mut deltas = BTreeMap::new();
    for (tag, &count) in current {
        let new = std::cmp::max(wanted.get(tag).copied().unwrap_or(0), 0);
        if new != count {
            deltas.insert(tag.clone(), new - count);
        }
    }
    for (tag, &count) in wanted {
        if count > 0 && !current.contains_key(tag) {
            deltas.insert(tag.clone(), count);
        }
    }
    deltas
}

/// Replaces the instance's whole usage with `wanted` (tag → count; a count of 0 drops the tag) and
/// moves the pool's counters by the difference. Run it inside the caller's transaction.
pub async fn replace(
    db: &impl ConnectionTrait,
    instance: i64,
    pool: i64,
    wanted: &BTreeMap<String, i64>,
) -> Result<(), AppError> {
    let current = of_instance(db, instance).await?;
    // Every counter this change moves, bumped first in one pass in tag order: devices of one pool
    // then always lock the pool's counter rows in the same order, and never deadlock on them.
    for (tag, delta) in deltas(&current, wanted) {
        bump(db, pool, &tag, delta).await?;
    }
    write_rows(db, instance, pool, &current, wanted).await
}

/// Writes the instance's usage rows from `current` to `wanted`, leaving the pool's counters to the
/// caller (`replace` bumps them at once; the device writer at the end of its batch).
pub async fn write_rows(
    db: &impl ConnectionTrait,
    instance: i64,
    pool: i64,
    current: &BTreeMap<String, i64>,
    wanted: &BTreeMap<String, i64>,
) -> Result<(), AppError> {
    for (tag, &count) in current {
        let new = wanted.get(tag).copied().unwrap_or(0);
        if new == count {
            continue;
        }
        if new <= 0 {
            instance_usage::Entity::delete_many()
                .filter(instance_usage::Column::ProductInstanceId.eq(instance))
                .filter(instance_usage::Column::Tag.eq(tag.as_str()))
                .exec(db)
                .await?;
        } else {
            instance_usage::Entity::update_many()
                .col_expr(instance_usage::Column::Count, Expr::value(new))
                .filter(instance_usage::Column::ProductInstanceId.eq(instance))
                .filter(instance_usage::Column::Tag.eq(tag.as_str()))
                .exec(db)
                .await?;
        }
    }
    let added: Vec<instance_usage::ActiveModel> = wanted
        .iter()
        .filter(|(tag, &count)| count > 0 && !current.contains_key(*tag))
        .map(|(tag, &count)| instance_usage::ActiveModel {
            product_instance_id: Set(instance),
            virtual_account_id: Set(pool),
            tag: Set(tag.clone()),
            count: Set(count),
            ..Default::default()
        })
        .collect();
    if !added.is_empty() {
        instance_usage::Entity::insert_many(added)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Releases everything the instance uses (before it is removed).
pub async fn release(db: &impl ConnectionTrait, instance: i64, pool: i64) -> Result<(), AppError> {
    replace(db, instance, pool, &BTreeMap::new()).await
}

/// Moves the instance's usage from one pool to another (the instance is being transferred).
pub async fn move_instance(
    db: &impl ConnectionTrait,
    instance: i64,
    from: i64,
    to: i64,
) -> Result<(), AppError> {
    // In (pool, tag) order, the order in which the device writer bumps counters at the end of its
    // batches: two transactions moving counters of the same pools never wait on each other in a cycle.
    let mut moves: Vec<(i64, String, i64)> = Vec::new();
    for (tag, count) in of_instance(db, instance).await? {
        moves.push((from, tag.clone(), -count));
        moves.push((to, tag, count));
    }
    moves.sort();
    for (pool, tag, delta) in moves {
        bump(db, pool, &tag, delta).await?;
    }
    instance_usage::Entity::update_many()
        .col_expr(instance_usage::Column::VirtualAccountId, Expr::value(to))
        .filter(instance_usage::Column::ProductInstanceId.eq(instance))
        .exec(db)
        .await?;
    Ok(())
}

/// In use per tag in a pool (all tags when `tags` is None).
pub async fn in_use(
    db: &impl ConnectionTrait,
    pool: i64,
    tags: Option<&[String]>,
) -> Result<HashMap<String, i64>, AppError> {
    let mut query =
        pool_usage::Entity::find().filter(pool_usage::Column::VirtualAccountId.eq(pool));
    if let Some(tags) = tags {
        query = query.filter(pool_usage::Column::Tag.is_in(tags.to_vec()));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.tag, u.in_use))
        .collect())
}

/// In use per pool and tag, for several pools in one statement.
pub async fn in_use_of_pools(
    db: &impl ConnectionTrait,
    pools: &[i64],
) -> Result<HashMap<i64, HashMap<String, i64>>, AppError> {
    let mut out: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    for u in pool_usage::Entity::find()
        .filter(pool_usage::Column::VirtualAccountId.is_in(pools.to_vec()))
        .all(db)
        .await?
    {
        out.entry(u.virtual_account_id)
            .or_default()
            .insert(u.tag, u.in_use);
    }
    Ok(out)
}

/// Active quantity per pool and tag at `now`, for several pools in one statement.
pub async fn active_quantity_of_pools(
    db: &impl ConnectionTrait,
    pools: &[i64],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, HashMap<String, i64>>, AppError> {
    let rows: Vec<(i64, String, Option<i64>)> = active_quantities(now, true)
        .filter(license_lot::Column::VirtualAccountId.is_in(pools.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    for (pool, tag, q) in rows {
        out.entry(pool).or_default().insert(tag, q.unwrap_or(0));
    }
    Ok(out)
}

/// `license_lots` joined to its catalogue license.
pub(crate) fn lot_license() -> RelationDef {
    license_lot::Entity::belongs_to(license::Entity)
        .from(license_lot::Column::LicenseId)
        .to(license::Column::Id)
        .into()
}

/// Active (started, not ended) quantity per tag in a pool at `now` (all tags when `tags` is None).
pub async fn active_quantity(
    db: &impl ConnectionTrait,
    pool: i64,
    tags: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<HashMap<String, i64>, AppError> {
    let mut query =
        active_quantities(now, false).filter(license_lot::Column::VirtualAccountId.eq(pool));
    if let Some(tags) = tags {
        query = query.filter(license::Column::Tag.is_in(tags.to_vec()));
    }
    let rows: Vec<(String, Option<i64>)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(tag, q)| (tag, q.unwrap_or(0)))
        .collect())
}

/// The active (started, not ended) quantity of lots at `now` summed per tag, or per pool and tag
/// (`by_pool`: the pool's id first), as `(pool,) tag, quantity` rows.
pub(crate) fn active_quantities(
    now: DateTime<Utc>,
    by_pool: bool,
) -> sea_orm::Select<license_lot::Entity> {
    let mut query = license_lot::Entity::find().select_only();
    if by_pool {
        query = query
            .column(license_lot::Column::VirtualAccountId)
            .group_by(license_lot::Column::VirtualAccountId);
    }
    query
        .column(license::Column::Tag)
        .column_as(
            Expr::col((license_lot::Entity, license_lot::Column::Quantity))
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "quantity",
        )
        .join(JoinType::InnerJoin, lot_license())
        .filter(lot_is_active(now))
        .group_by(license::Column::Tag)
}
