//! Transfers of licenses between two pools of a smart account, atomic and safe under concurrency.
//!
//! Both pools are locked before anything is read, always in the order of their ids, so that transfers
//! in opposite directions queue instead of deadlocking: on PostgreSQL with `SELECT … FOR UPDATE` of the
//! two `virtual_accounts` rows (and of the source lots); on SQLite, whose writers are serialised by the
//! database lock, the first statement is a write that changes nothing, so the transaction takes the
//! writer lock (waiting out the busy timeout) before it reads, and never fails to upgrade later.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::licenses::{self, LotTerm, TransferError};
use crate::domain::roles::{Action, Actor};
use crate::entities::{license_lot, license_transfer, virtual_account};
use crate::error::AppError;
use crate::model::TransferDone;
use crate::services::events::{self, NewEvent};
use crate::services::{pools, require, usage};

use super::find_license;

/// A transfer as the form sends it: the target and quantity as typed.
#[derive(Debug, Clone)]
pub struct TransferRequest<'a> {
    pub pool: i64,
    pub license_id: i64,
    pub target: &'a str,
    pub quantity: &'a str,
}

/// Moves `quantity` licenses from `pool` to `target`, taking lots as `licenses::pick_lots` says, with
/// the end dates they have. Needs the right to change both pools; never moves more than the source
/// can give (`licenses::transferable`). Writes one history row and one event in each pool.
pub async fn transfer(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    req: TransferRequest<'_>,
    now: DateTime<Utc>,
) -> Result<TransferDone, AppError> {
    let source = pools::find_visible(db, actor, req.pool).await?;
    require(actor, Action::ChangePool(source.id))?;
    let license = find_license(db, req.license_id).await?;
    let target_id: i64 = req
        .target
        .trim()
        .parse()
        .map_err(|_| TransferError::TargetNotAllowed)?;
    if target_id == source.id {
        return Err(TransferError::SameAccount.into());
    }
    if !actor.can_change(target_id) {
        return Err(TransferError::TargetNotAllowed.into());
    }
    let target = pools::find_visible(db, actor, target_id)
        .await
        .map_err(|e| {
            if e == AppError::NotFound {
                TransferError::TargetNotAllowed.into()
            } else {
                e
            }
        })?;
    let quantity = licenses::parse_quantity(req.quantity)?;

    let txn = db.begin().await?;
    if !lock_pools(&txn, actor.smart_account_id, [source.id, target.id]).await? {
        return Err(TransferError::TargetNotAllowed.into());
    }
    let lots = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.eq(source.id))
        .filter(license_lot::Column::LicenseId.eq(license.id))
        .order_by_asc(license_lot::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?;
    let terms: Vec<LotTerm> = lots
        .iter()
        .map(|l| LotTerm {
            id: l.id,
            quantity: l.quantity,
            starts_at: l.starts_at,
            ends_at: l.ends_at,
        })
        .collect();
    let active: i64 = licenses::Standing::of_lots(
        lots.iter().map(|l| (l.starts_at, l.ends_at, l.quantity)),
        0,
        now,
    )
    .purchased;
    let tags = [license.tag.clone()];
    let in_use = usage::in_use(&txn, source.id, Some(&tags))
        .await?
        .get(&license.tag)
        .copied()
        .unwrap_or(0);
    licenses::check_quantity(quantity, active, in_use)?;
    let picks = licenses::pick_lots(&terms, quantity, now)
        .map_err(|most| TransferError::TooMany { most })?;

    let received = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.eq(target.id))
        .filter(license_lot::Column::LicenseId.eq(license.id))
        .all(&txn)
        .await?;
    for (lot_id, taken) in picks {
        let Some(lot) = lots.iter().find(|l| l.id == lot_id) else {
            continue;
        };
        if taken == lot.quantity {
            license_lot::Entity::delete_by_id(lot.id).exec(&txn).await?;
        } else {
            license_lot::Entity::update_many()
                .col_expr(
                    license_lot::Column::Quantity,
                    Expr::value(lot.quantity - taken),
                )
                .filter(license_lot::Column::Id.eq(lot.id))
                .exec(&txn)
                .await?;
        }
        // Licenses that came from the same lot before join the lot they made then.
        let source_ref = format!("transfer from {} (lot {})", source.name, lot.id);
        match received.iter().find(|r| {
            r.source_ref == source_ref && r.starts_at == lot.starts_at && r.ends_at == lot.ends_at
        }) {
            Some(same) => {
                license_lot::Entity::update_many()
                    .col_expr(
                        license_lot::Column::Quantity,
                        Expr::col(license_lot::Column::Quantity).add(taken),
                    )
                    .filter(license_lot::Column::Id.eq(same.id))
                    .exec(&txn)
                    .await?;
            }
            None => {
                license_lot::ActiveModel {
                    virtual_account_id: Set(target.id),
                    license_id: Set(license.id),
                    quantity: Set(taken),
                    starts_at: Set(lot.starts_at),
                    ends_at: Set(lot.ends_at),
                    source_ref: Set(source_ref),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    let history = license_transfer::ActiveModel {
        smart_account_id: Set(actor.smart_account_id),
        license_id: Set(license.id),
        from_virtual_account_id: Set(source.id),
        to_virtual_account_id: Set(target.id),
        quantity: Set(quantity),
        actor: Set(actor.username.clone()),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (pool, message) in [
        (
            source.id,
            format!(
                "{quantity} × {} transferred to \"{}\"",
                license.tag, target.name
            ),
        ),
        (
            target.id,
            format!(
                "{quantity} × {} received from \"{}\"",
                license.tag, source.name
            ),
        ),
    ] {
        events::record(
            &txn,
            now,
            NewEvent {
                smart_account_id: actor.smart_account_id,
                virtual_account_id: Some(pool),
                actor: &actor.username,
                kind: EventKind::LicensesTransferred,
                message,
                instance: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(TransferDone {
        id: history.id,
        tag: license.tag,
        quantity,
        from_pool: source.name,
        to_pool: target.name,
    })
}

/// Locks both pools of the smart account, lowest id first; false when one of them is gone.
async fn lock_pools(
    txn: &impl ConnectionTrait,
    smart_account_id: i64,
    mut ids: [i64; 2],
) -> Result<bool, AppError> {
    ids.sort_unstable();
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
        return Ok(touched.rows_affected == 2);
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
