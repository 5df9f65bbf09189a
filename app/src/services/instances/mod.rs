//! Product instances as the portal shows them: a keyset-paged list, one instance's detail, transfer to
//! another virtual account, removal.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use crate::domain::device::tag_status;
use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::entities::{event, license, product_instance as pi};
use crate::error::AppError;
use crate::model::{InstanceDetail, InstanceEntitlement, InstanceTransfer};
use crate::protocol::EntitlementStatus;

pub mod bulk;
mod list;
pub mod shortfalls;

use list::describe;
pub use list::{list, MAX_PAGE_SIZE, PAGE_SIZE};

use super::events::{self, NewEvent};
use super::{pools, require, usage};

/// The tags of `tags` that the pool is short of (in use above active licenses).
pub async fn short_tags(
    db: &impl ConnectionTrait,
    pool: i64,
    tags: &[String],
    now: DateTime<Utc>,
) -> Result<HashSet<String>, AppError> {
    if tags.is_empty() {
        return Ok(HashSet::new());
    }
    let in_use = usage::in_use(db, pool, Some(tags)).await?;
    let active = usage::active_quantity(db, pool, Some(tags), now).await?;
    Ok(tags
        .iter()
        .filter(|t| {
            tag_status(
                active.get(*t).copied().unwrap_or(0),
                in_use.get(*t).copied().unwrap_or(0),
            ) == EntitlementStatus::OutOfCompliance
        })
        .cloned()
        .collect())
}

/// Finds an instance in a pool the actor sees.
async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<(pi::Model, crate::entities::virtual_account::Model), AppError> {
    let found = pi::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pool = pools::find_visible(db, actor, found.virtual_account_id).await?;
    Ok((found, pool))
}

/// Everything about one instance.
pub async fn detail(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<InstanceDetail, AppError> {
    let (m, pool) = find_visible(db, actor, id).await?;
    let row = describe(db, m.virtual_account_id, std::slice::from_ref(&m), now)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let used = usage::of_instance(db, m.id).await?;
    let tags: Vec<String> = used.keys().cloned().collect();
    let short = short_tags(db, m.virtual_account_id, &tags, now).await?;
    let names: HashMap<String, String> = license::Entity::find()
        .filter(license::Column::Tag.is_in(tags.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.tag, l.name))
        .collect();
    let entitlements = used
        .into_iter()
        .map(|(tag, count)| InstanceEntitlement {
            status: if short.contains(&tag) {
                EntitlementStatus::OutOfCompliance
            } else {
                EntitlementStatus::Authorized
            },
            name: names.get(&tag).cloned(),
            tag,
            count,
        })
        .collect();
    let history = event::Entity::find()
        .filter(event::Column::ProductInstanceId.eq(m.id))
        .filter(event::Column::SmartAccountId.eq(actor.smart_account_id))
        .order_by_desc(event::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(events::to_row)
        .collect();
    Ok(InstanceDetail {
        row,
        pool_id: pool.id,
        pool_name: pool.name,
        software_version: m.software_version,
        registered_at: m.registered_at,
        id_cert_serial: m.id_cert_serial,
        id_cert_expires_at: m.id_cert_expires_at,
        auth_expires_at: m.auth_expires_at,
        entitlements,
        events: history,
        can_change: actor.can_change(m.virtual_account_id),
    })
}

/// Moves an instance, with its usage, to another virtual account.
pub async fn transfer(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    InstanceTransfer { id, target }: InstanceTransfer,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (m, from) = find_visible(db, actor, id).await?;
    require(actor, Action::ChangePool(from.id))?;
    behind_satellite(&m)?;
    let to = pools::find_visible(db, actor, target)
        .await
        .map_err(|_| AppError::validation("target", "Pick a virtual account you may change."))?;
    if !actor.can_change(to.id) {
        return Err(AppError::validation(
            "target",
            "Pick a virtual account you may change.",
        ));
    }
    if to.id == from.id {
        return Err(AppError::validation(
            "target",
            "The instance is already in this virtual account.",
        ));
    }
    let txn = crate::services::begin_writing(db).await?;
    let moved = pi::Entity::update_many()
        .col_expr(pi::Column::VirtualAccountId, Expr::value(to.id))
        .filter(pi::Column::Id.eq(m.id))
        .filter(pi::Column::VirtualAccountId.eq(from.id))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        // Moved or removed since it was read: nothing here to transfer any more.
        return Err(AppError::NotFound);
    }
    pools::move_instance_counts(&txn, &[(from.id, -1), (to.id, 1)].into()).await?;
    usage::move_instance(&txn, m.id, from.id, to.id).await?;
    let udi = m.udi();
    for (pool, message) in [
        (
            from.id,
            format!(
                "Product instance {} ({udi}) transferred to \"{}\"",
                m.hostname, to.name
            ),
        ),
        (
            to.id,
            format!(
                "Product instance {} ({udi}) transferred from \"{}\"",
                m.hostname, from.name
            ),
        ),
    ] {
        events::record(
            &txn,
            now,
            NewEvent {
                smart_account_id: actor.smart_account_id,
                virtual_account_id: Some(pool),
                actor: &actor.who(),
                kind: EventKind::InstanceTransferred,
                message,
                instance: Some(m.id),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Moves several instances to one virtual account in one transaction: all of them, or none (the
/// first refusal is the answer, with the index of the instance it refused). Every pool involved is
/// locked first, lowest id first, so that two such requests never deadlock.
pub async fn transfer_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    ids: &[i64],
    target: i64,
    now: DateTime<Utc>,
) -> Result<(), (usize, AppError)> {
    let mut involved = vec![target];
    for (i, &id) in ids.iter().enumerate() {
        let (_, pool) = find_visible(db, actor, id).await.map_err(|e| (i, e))?;
        involved.push(pool.id);
    }
    involved.retain(|p| actor.sees_pool(*p));
    let txn = crate::services::begin_writing(db)
        .await
        .map_err(|e| (0, e.into()))?;
    pools::lock(&txn, actor.smart_account_id, &involved)
        .await
        .map_err(|e| (0, e))?;
    for (i, &id) in ids.iter().enumerate() {
        transfer(&txn, actor, InstanceTransfer { id, target }, now)
            .await
            .map_err(|e| (i, e))?;
    }
    txn.commit().await.map_err(|e| (0, e.into()))?;
    Ok(())
}

/// Removes an instance: its licenses are released and its credential stops working.
pub async fn remove(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (m, pool) = find_visible(db, actor, id).await?;
    require(actor, Action::ChangePool(pool.id))?;
    behind_satellite(&m)?;
    let txn = crate::services::begin_writing(db).await?;
    delete_instance(&txn, &m).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(pool.id),
            actor: &actor.who(),
            kind: EventKind::InstanceRemoved,
            message: format!(
                "Product instance {} ({}) removed; its licenses are released",
                m.hostname,
                m.udi()
            ),
            instance: Some(m.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A device registered through a satellite belongs to it: it moves and goes there (its next sync
/// would undo a change made here).
fn behind_satellite(m: &pi::Model) -> Result<(), AppError> {
    if m.satellite_id.is_some() {
        return Err(AppError::validation(
            "id",
            "This product instance is registered through a satellite: transfer or remove it there.",
        ));
    }
    Ok(())
}

/// Releases an instance's usage and deletes it (inside the caller's transaction).
///
/// Locks in the order the device writer's batches take: the instance's row, then its pool's instance
/// count, then the pool's usage counters.
pub async fn delete_instance(db: &impl ConnectionTrait, m: &pi::Model) -> Result<(), AppError> {
    let Some(m) = pi::Entity::find_by_id(m.id)
        .filter(pi::Column::VirtualAccountId.eq(m.virtual_account_id))
        .lock_exclusive()
        .one(db)
        .await?
    else {
        // Removed, or moved to another pool, since it was read.
        return Err(AppError::NotFound);
    };
    let m = &m;
    pools::move_instance_counts(db, &[(m.virtual_account_id, -1)].into()).await?;
    usage::release(db, m.id, m.virtual_account_id).await?;
    pi::Entity::delete_by_id(m.id).exec(db).await?;
    Ok(())
}

/// The usage of an instance, for the device API's answers.
pub async fn entitlement_statuses(
    db: &impl ConnectionTrait,
    pool: i64,
    used: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64, EntitlementStatus)>, AppError> {
    let tags: Vec<String> = used.keys().cloned().collect();
    let short = short_tags(db, pool, &tags, now).await?;
    Ok(used
        .iter()
        .map(|(tag, &count)| {
            let status = if short.contains(tag) {
                EntitlementStatus::OutOfCompliance
            } else {
                EntitlementStatus::Authorized
            };
            (tag.clone(), count, status)
        })
        .collect())
}
