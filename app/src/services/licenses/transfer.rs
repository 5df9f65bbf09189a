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
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::licenses::{
    plan_transfer_in, LotChange, LotOrder, LotTerm, TransferAsk, TransferError,
};
use crate::domain::roles::{Action, Actor};
use crate::entities::{license_lot, license_transfer};
use crate::error::AppError;
use crate::model::{LicenseTransferForm, TransferDone};
use crate::services::events::{self, NewEvent};
use crate::services::{pools, require, usage};

use super::find_license;

fn term(l: &license_lot::Model) -> LotTerm {
    LotTerm {
        id: l.id,
        quantity: l.quantity,
        starts_at: l.starts_at,
        ends_at: l.ends_at,
        origin: l.origin_lot_id,
    }
}

/// Moves licenses from one pool to another, as load → plan → apply: the form is parsed first (nothing
/// is read for a bad quantity), both pools are locked and their lots of the license read, then
/// `licenses::plan_transfer` decides which lots give and where the licenses go, and the plan is written
/// in the same transaction with one history row and one event in each pool. Needs the right to change
/// both pools; never moves more than the source can give.
pub async fn transfer(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    form: LicenseTransferForm,
    now: DateTime<Utc>,
) -> Result<TransferDone, AppError> {
    transfer_in(db, actor, form, LotOrder::SoonestFirst, now).await
}

/// `transfer`, taking the source's lots in `order` ("Resolve Shortages…" decides it per transfer).
pub(crate) async fn transfer_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    form: LicenseTransferForm,
    order: LotOrder,
    now: DateTime<Utc>,
) -> Result<TransferDone, AppError> {
    let TransferAsk { target, quantity } = TransferAsk::try_from(&form.fields)?;
    let source = pools::find_visible(db, actor, form.from.pool).await?;
    require(actor, Action::ChangePool(source.id))?;
    let license = find_license(db, form.from.license).await?;
    if target == source.id {
        return Err(TransferError::SameAccount.into());
    }
    if !actor.can_change(target) {
        return Err(TransferError::TargetNotAllowed.into());
    }
    let target = pools::find_visible(db, actor, target).await.map_err(|e| {
        if e == AppError::NotFound {
            TransferError::TargetNotAllowed.into()
        } else {
            e
        }
    })?;

    let txn = crate::services::begin_writing(db).await?;
    if !pools::lock(&txn, actor.smart_account_id, &[source.id, target.id]).await? {
        return Err(TransferError::TargetNotAllowed.into());
    }
    let lots_of = |pool: i64| {
        license_lot::Entity::find()
            .filter(license_lot::Column::VirtualAccountId.eq(pool))
            .filter(license_lot::Column::LicenseId.eq(license.id))
            .order_by_asc(license_lot::Column::Id)
    };
    let given = lots_of(source.id).lock_exclusive().all(&txn).await?;
    let received = lots_of(target.id).all(&txn).await?;
    let in_use = usage::in_use(&txn, source.id, Some(std::slice::from_ref(&license.tag)))
        .await?
        .get(&license.tag)
        .copied()
        .unwrap_or(0);
    let source_lots: Vec<LotTerm> = given.iter().map(term).collect();
    let target_lots: Vec<LotTerm> = received.iter().map(term).collect();
    let plan = plan_transfer_in(&source_lots, &target_lots, quantity, in_use, order, now)?;

    for change in plan {
        match change {
            LotChange::Take { lot, left: 0, .. } => {
                license_lot::Entity::delete_by_id(lot).exec(&txn).await?;
            }
            LotChange::Take { lot, left, .. } => {
                license_lot::Entity::update_many()
                    .col_expr(license_lot::Column::Quantity, Expr::value(left))
                    .filter(license_lot::Column::Id.eq(lot))
                    .exec(&txn)
                    .await?;
            }
            LotChange::Merge { into, quantity } => {
                license_lot::Entity::update_many()
                    .col_expr(
                        license_lot::Column::Quantity,
                        Expr::col(license_lot::Column::Quantity).add(quantity),
                    )
                    .filter(license_lot::Column::Id.eq(into))
                    .exec(&txn)
                    .await?;
            }
            LotChange::Create {
                origin,
                quantity,
                starts_at,
                ends_at,
            } => {
                license_lot::ActiveModel {
                    virtual_account_id: Set(target.id),
                    license_id: Set(license.id),
                    quantity: Set(quantity),
                    starts_at: Set(starts_at),
                    ends_at: Set(ends_at),
                    source_ref: Set(format!("transfer from {} (lot {origin})", source.name)),
                    origin_lot_id: Set(Some(origin)),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    let quantity = quantity.get();
    let history = license_transfer::ActiveModel {
        smart_account_id: Set(actor.smart_account_id),
        license_id: Set(license.id),
        from_virtual_account_id: Set(source.id),
        to_virtual_account_id: Set(target.id),
        quantity: Set(quantity),
        actor: Set(actor.who()),
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
                actor: &actor.who(),
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

/// Several transfers in one transaction: all of them, or none (the first refusal is the answer, with
/// the index of the transfer it refused). Every pool they touch is locked first, lowest id first, so
/// that two such requests never deadlock.
pub async fn transfer_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    forms: Vec<LicenseTransferForm>,
    now: DateTime<Utc>,
) -> Result<Vec<TransferDone>, (usize, AppError)> {
    let at = |i: usize| move |e: sea_orm::DbErr| (i, AppError::from(e));
    let txn = crate::services::begin_writing(db).await.map_err(at(0))?;
    let mut pools: Vec<i64> = Vec::with_capacity(forms.len() * 2);
    for form in &forms {
        // Only pools the actor sees are locked; the transfer itself refuses the others.
        for id in [Some(form.from.pool), form.fields.target.trim().parse().ok()]
            .into_iter()
            .flatten()
        {
            if actor.sees_pool(id) {
                pools.push(id);
            }
        }
    }
    pools::lock(&txn, actor.smart_account_id, &pools)
        .await
        .map_err(|e| (0, e))?;
    let mut done = Vec::with_capacity(forms.len());
    for (i, form) in forms.into_iter().enumerate() {
        done.push(transfer(&txn, actor, form, now).await.map_err(|e| (i, e))?);
    }
    txn.commit().await.map_err(at(0))?;
    Ok(done)
}
