//! Product instances in bulk: the ticked rows, or every instance matching the tab's search, moved to
//! another virtual account or removed — one transaction per chunk of [`CHUNK`] instances, in id
//! order, so that the page can show progress through thousands and a failure loses at most the chunk
//! it happened in. Every instance gets its events, as one transfer or removal would.
//!
//! Locks are taken in the order of the device writer's batches (the instances' rows, then the pools'
//! instance counts in pool order, then the usage counters in (pool, tag) order), so a chunk and a
//! batch of device requests never wait on each other in a cycle.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::entities::{instance_usage, product_instance as pi, virtual_account};
use crate::error::AppError;
use crate::model::{BulkAction, BulkProgress, BulkSelection, BulkSkip, BulkStep};
use crate::services::events::{self, NewEvent};
use crate::services::{pools, require, usage};

use super::list::matching;

/// Instances a chunk takes at most.
pub const CHUNK: u64 = 200;
/// The most instances a selection by id may name (a page's rows; more is "Select all").
pub const MAX_IDS: usize = 1000;

/// How many instances the selection holds now (for "Select all N matching" and the progress).
pub async fn count(
    db: &impl ConnectionTrait,
    actor: &Actor,
    selection: &BulkSelection,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let query = selected(db, actor, selection, now).await?;
    Ok(query.count(db).await?)
}

/// The selection as a query, after checking the actor may see what it names.
pub(super) async fn selected(
    db: &impl ConnectionTrait,
    actor: &Actor,
    selection: &BulkSelection,
    now: DateTime<Utc>,
) -> Result<sea_orm::Select<pi::Entity>, AppError> {
    Ok(match selection {
        BulkSelection::Ids(ids) => {
            if ids.is_empty() {
                return Err(AppError::validation(
                    "selection",
                    "Select at least one product instance.",
                ));
            }
            if ids.len() > MAX_IDS {
                return Err(AppError::validation(
                    "selection",
                    format!("Select at most {MAX_IDS} product instances, or use Select all."),
                ));
            }
            // Pools the actor cannot see are left out here, and their instances never reached.
            pi::Entity::find()
                .filter(pi::Column::Id.is_in(ids.clone()))
                .filter(pi::Column::VirtualAccountId.is_in(visible_pools(db, actor).await?))
        }
        BulkSelection::Matching {
            pool,
            search,
            status,
        } => {
            pools::find_visible(db, actor, *pool).await?;
            pi::Entity::find().filter(matching(db, *pool, search, *status, now).await?)
        }
    })
}

/// The ids of the actor's smart account's pools the actor sees.
pub(super) async fn visible_pools(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<i64>, AppError> {
    Ok(pools::names(db, actor.smart_account_id)
        .await?
        .into_keys()
        .filter(|&p| actor.sees_pool(p))
        .collect())
}

/// Applies the action to the next chunk of the selection (ids above `step.after`).
pub async fn step(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    step: BulkStep,
    now: DateTime<Utc>,
) -> Result<BulkProgress, AppError> {
    let target = match step.action {
        BulkAction::Transfer { target } => {
            let to = pools::find_visible(db, actor, target).await.map_err(|_| {
                AppError::validation("target", "Pick a virtual account you may change.")
            })?;
            if !actor.can_change(to.id) {
                return Err(AppError::validation(
                    "target",
                    "Pick a virtual account you may change.",
                ));
            }
            Some(to)
        }
        BulkAction::Remove => None,
    };
    if let BulkSelection::Matching { pool, .. } = &step.selection {
        require(actor, Action::ChangePool(*pool))?;
    }
    let mut query = selected(db, actor, &step.selection, now).await?;
    if let Some(after) = step.after {
        query = query.filter(pi::Column::Id.gt(after));
    }
    let chunk = query
        .order_by_asc(pi::Column::Id)
        .limit(CHUNK + 1)
        .all(db)
        .await?;
    let next = (chunk.len() as u64 > CHUNK).then(|| chunk[CHUNK as usize - 1].id);
    let chunk = &chunk[..chunk.len().min(CHUNK as usize)];
    let names = pools::names(db, actor.smart_account_id).await?;
    let mut skipped = Vec::new();
    let mut eligible = Vec::new();
    for m in chunk {
        let reason = if !actor.can_change(m.virtual_account_id) {
            Some("You may not change its virtual account.")
        } else if m.satellite_id.is_some() {
            Some("Registered through a satellite: transfer or remove it there.")
        } else if target
            .as_ref()
            .is_some_and(|t| t.id == m.virtual_account_id)
        {
            Some("Already in this virtual account.")
        } else {
            None
        };
        match reason {
            Some(reason) => skipped.push(skip(m, reason)),
            None => eligible.push(m.clone()),
        }
    }
    // The chunk reads before it writes: on SQLite it takes the write lock at once.
    let txn = crate::services::begin_writing(db).await?;
    let done = match &target {
        Some(to) => transfer_chunk(&txn, actor, &eligible, to, &names, &mut skipped, now).await?,
        None => remove_chunk(&txn, actor, &eligible, &mut skipped, now).await?,
    };
    txn.commit().await?;
    Ok(BulkProgress {
        done,
        skipped,
        next,
    })
}

fn skip(m: &pi::Model, reason: &str) -> BulkSkip {
    BulkSkip {
        id: m.id,
        hostname: m.hostname.clone(),
        reason: reason.to_owned(),
    }
}

/// Usage deltas per (pool, tag) of the instances' usage rows, moved `sign` × from their pool and,
/// for a transfer, + to `to`: applied in (pool, tag) order.
async fn bump_usage(
    txn: &impl ConnectionTrait,
    ids: &[i64],
    to: Option<i64>,
) -> Result<(), AppError> {
    let rows = instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids.to_vec()))
        .all(txn)
        .await?;
    let mut deltas: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for u in &rows {
        *deltas
            .entry((u.virtual_account_id, u.tag.clone()))
            .or_default() -= u.count;
        if let Some(to) = to {
            *deltas.entry((to, u.tag.clone())).or_default() += u.count;
        }
    }
    for ((pool, tag), delta) in deltas {
        usage::bump(txn, pool, &tag, delta).await?;
    }
    Ok(())
}

async fn transfer_chunk(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    eligible: &[pi::Model],
    to: &virtual_account::Model,
    names: &std::collections::HashMap<i64, String>,
    skipped: &mut Vec<BulkSkip>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    // The rows first, locked in id order (as every bulk chunk and removal takes them); then each
    // pool's instances move in one conditional statement: one that moved or went since it was read
    // stays out (and is reported).
    pi::Entity::find()
        .filter(pi::Column::Id.is_in(eligible.iter().map(|m| m.id).collect::<Vec<_>>()))
        .order_by_asc(pi::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    let mut by_pool: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for m in eligible {
        by_pool.entry(m.virtual_account_id).or_default().push(m.id);
    }
    let mut moved = Vec::new();
    for (&from, ids) in &by_pool {
        moved.extend(
            pi::Entity::update_many()
                .col_expr(pi::Column::VirtualAccountId, Expr::value(to.id))
                .filter(pi::Column::Id.is_in(ids.clone()))
                .filter(pi::Column::VirtualAccountId.eq(from))
                .exec_with_returning(txn)
                .await?
                .into_iter()
                .map(|m| (m.id, from)),
        );
    }
    let moved: BTreeMap<i64, i64> = moved.into_iter().collect();
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for &from in moved.values() {
        *counts.entry(from).or_default() -= 1;
        *counts.entry(to.id).or_default() += 1;
    }
    pools::move_instance_counts(txn, &counts).await?;
    let ids: Vec<i64> = moved.keys().copied().collect();
    bump_usage(txn, &ids, Some(to.id)).await?;
    instance_usage::Entity::update_many()
        .col_expr(instance_usage::Column::VirtualAccountId, Expr::value(to.id))
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids))
        .exec(txn)
        .await?;
    let who = actor.who();
    let mut written = Vec::with_capacity(2 * moved.len());
    for m in eligible {
        let Some(&from) = moved.get(&m.id) else {
            skipped.push(skip(m, "Moved or removed since the list was read."));
            continue;
        };
        let from_name = names.get(&from).map(String::as_str).unwrap_or("?");
        for (pool, message) in [
            (
                from,
                format!(
                    "Product instance {} ({}) transferred to \"{}\"",
                    m.hostname,
                    m.udi(),
                    to.name
                ),
            ),
            (
                to.id,
                format!(
                    "Product instance {} ({}) transferred from \"{from_name}\"",
                    m.hostname,
                    m.udi()
                ),
            ),
        ] {
            written.push(NewEvent {
                smart_account_id: actor.smart_account_id,
                virtual_account_id: Some(pool),
                actor: &who,
                kind: EventKind::InstanceTransferred,
                message,
                instance: Some(m.id),
            });
        }
    }
    events::record_many(txn, now, written).await?;
    Ok(moved.len() as u64)
}

async fn remove_chunk(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    eligible: &[pi::Model],
    skipped: &mut Vec<BulkSkip>,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    // The rows first (locked in id order), as they are now: one moved since it was read is removed
    // from where it is now only if the actor may change that pool too.
    let ids: Vec<i64> = eligible.iter().map(|m| m.id).collect();
    let locked: BTreeMap<i64, pi::Model> = pi::Entity::find()
        .filter(pi::Column::Id.is_in(ids))
        .order_by_asc(pi::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?
        .into_iter()
        .filter(|m| actor.can_change(m.virtual_account_id))
        .map(|m| (m.id, m))
        .collect();
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for m in locked.values() {
        *counts.entry(m.virtual_account_id).or_default() -= 1;
    }
    pools::move_instance_counts(txn, &counts).await?;
    let ids: Vec<i64> = locked.keys().copied().collect();
    bump_usage(txn, &ids, None).await?;
    instance_usage::Entity::delete_many()
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids.clone()))
        .exec(txn)
        .await?;
    pi::Entity::delete_many()
        .filter(pi::Column::Id.is_in(ids))
        .exec(txn)
        .await?;
    let who = actor.who();
    let mut written = Vec::with_capacity(locked.len());
    for m in eligible {
        let Some(now_m) = locked.get(&m.id) else {
            skipped.push(skip(m, "Moved or removed since the list was read."));
            continue;
        };
        written.push(NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(now_m.virtual_account_id),
            actor: &who,
            kind: EventKind::InstanceRemoved,
            message: format!(
                "Product instance {} ({}) removed; its licenses are released",
                m.hostname,
                m.udi()
            ),
            instance: Some(m.id),
        });
    }
    events::record_many(txn, now, written).await?;
    Ok(locked.len() as u64)
}
