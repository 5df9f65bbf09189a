//! Virtual accounts (license pools): list, create, rename and describe, make default, delete.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::roles::Actor;
use crate::entities::{license_lot, product_instance, token, virtual_account};
use crate::error::AppError;
use crate::model::{PoolRef, PoolRow};

mod edit;

pub use edit::{create, delete, set_default, update};

/// Finds a virtual account of the actor's smart account that the actor may see, or `NotFound`.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<virtual_account::Model, AppError> {
    if !actor.sees_pool(id) {
        return Err(AppError::NotFound);
    }
    virtual_account::Entity::find_by_id(id)
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<virtual_account::Model>, AppError> {
    let mut query = virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id));
    if let Some(ids) = actor.pool_filter() {
        query = query.filter(virtual_account::Column::Id.is_in(ids));
    }
    Ok(query
        .order_by_desc(virtual_account::Column::IsDefault)
        .order_by_asc(virtual_account::Column::Name)
        .all(db)
        .await?)
}

/// The pools the actor sees, default first, for the header's selector.
/// Every pool's name in the smart account, by id (names for rows that name their pool).
pub async fn names(
    db: &impl ConnectionTrait,
    smart_account_id: i64,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(smart_account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

pub async fn refs(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<PoolRef>, AppError> {
    Ok(visible(db, actor)
        .await?
        .into_iter()
        .map(|m| PoolRef {
            can_change: actor.can_change(m.id),
            id: m.id,
            name: m.name,
            is_default: m.is_default,
        })
        .collect())
}

/// Counts per pool of one table, in one grouped query.
async fn count_by_pool<E: EntityTrait>(
    db: &impl ConnectionTrait,
    pool_column: E::Column,
    value: sea_orm::sea_query::SimpleExpr,
    pools: &[i64],
    extra: sea_orm::Condition,
) -> Result<HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, Option<i64>)> = E::find()
        .select_only()
        .column(pool_column)
        .column_as(value, "n")
        .filter(pool_column.is_in(pools.to_vec()))
        .filter(extra)
        .group_by(pool_column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, n.unwrap_or(0)))
        .collect())
}

/// Holdings of each pool: active licenses and tokens (its instances are its `instance_count`).
async fn holdings(
    db: &impl ConnectionTrait,
    pools: &[i64],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<[HashMap<i64, i64>; 2], AppError> {
    use sea_orm::Condition;
    let active = Condition::all()
        .add(license_lot::Column::StartsAt.lte(now))
        .add(
            Condition::any()
                .add(license_lot::Column::EndsAt.is_null())
                .add(license_lot::Column::EndsAt.gt(now)),
        );
    let sum = Expr::col(license_lot::Column::Quantity)
        .sum()
        .cast_as(Alias::new("BIGINT"));
    let licenses = count_by_pool::<license_lot::Entity>(
        db,
        license_lot::Column::VirtualAccountId,
        sum,
        pools,
        active,
    )
    .await?;
    let tokens = count_by_pool::<token::Entity>(
        db,
        token::Column::VirtualAccountId,
        Expr::col(token::Column::Id).count(),
        pools,
        Condition::all(),
    )
    .await?;
    Ok([licenses, tokens])
}

/// The product instances of one pool, counted row by row: what deleting a pool checks, where only the
/// rows themselves are proof.
async fn count_instances(db: &impl ConnectionTrait, pool: i64) -> Result<i64, AppError> {
    Ok(count_by_pool::<product_instance::Entity>(
        db,
        product_instance::Column::VirtualAccountId,
        Expr::col(product_instance::Column::Id).count(),
        &[pool],
        sea_orm::Condition::all(),
    )
    .await?
    .get(&pool)
    .copied()
    .unwrap_or(0))
}

/// Moves the pools' instance counts (`virtual_accounts.instance_count`) by `deltas`, in pool order:
/// every writer of these rows takes them in id order, and before any `pool_usages` row (see
/// `devices::writer`), so that two transactions never wait on each other in a cycle.
pub async fn move_instance_counts(
    db: &impl ConnectionTrait,
    deltas: &std::collections::BTreeMap<i64, i64>,
) -> Result<(), sea_orm::DbErr> {
    for (&pool, &delta) in deltas {
        if delta != 0 {
            virtual_account::Entity::update_many()
                .col_expr(
                    virtual_account::Column::InstanceCount,
                    Expr::col(virtual_account::Column::InstanceCount).add(delta),
                )
                .filter(virtual_account::Column::Id.eq(pool))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// The Virtual Accounts page: every pool the actor sees with what it holds.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<PoolRow>, AppError> {
    let pools = visible(db, actor).await?;
    let ids: Vec<i64> = pools.iter().map(|p| p.id).collect();
    let [licenses, tokens] = holdings(db, &ids, now).await?;
    Ok(pools
        .into_iter()
        .map(|m| PoolRow {
            licenses: licenses.get(&m.id).copied().unwrap_or(0),
            tokens: tokens.get(&m.id).copied().unwrap_or(0),
            instances: m.instance_count,
            can_change: actor.can_change(m.id),
            id: m.id,
            name: m.name,
            description: m.description,
            is_default: m.is_default,
        })
        .collect())
}

/// Locks the pools of the smart account, lowest id first; false when one of them is gone. Every
/// change that moves several pools' holdings or counters takes this first, in one order, so that two
/// of them never deadlock (on SQLite the first write takes the database's one writer lock).
pub(crate) async fn lock(
    txn: &impl ConnectionTrait,
    smart_account_id: i64,
    ids: &[i64],
) -> Result<bool, AppError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let wanted = ids.len() as u64;
    if txn.get_database_backend() == DbBackend::Sqlite {
        let touched = virtual_account::Entity::update_many()
            .col_expr(
                virtual_account::Column::Name,
                Expr::col(virtual_account::Column::Name),
            )
            .filter(virtual_account::Column::SmartAccountId.eq(smart_account_id))
            .filter(virtual_account::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
        return Ok(touched.rows_affected == wanted);
    }
    for id in ids {
        let found = virtual_account::Entity::find_by_id(id)
            .filter(virtual_account::Column::SmartAccountId.eq(smart_account_id))
            .lock_exclusive()
            .one(txn)
            .await?;
        if found.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}
