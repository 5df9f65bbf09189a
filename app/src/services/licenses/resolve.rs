//! "Resolve Shortages…": load every license's lots and usage in the pools the actor sees, let
//! `domain::licenses::resolve::plan_shortages` plan the transfers among the pools the actor may
//! change, and apply the plan as transfers in one transaction (all of them or none: the same
//! conservation guarantee as one transfer), only while the licenses are as they were when the plan
//! was shown (its fingerprint).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::domain::licenses::resolve::{
    active_at, plan_shortages, Holding, LicenseHoldings, ShortagePlan,
};
use crate::domain::licenses::{LotTerm, TransferForm};
use crate::domain::roles::Actor;
use crate::entities::{license, license_forecast, license_lot, pool_usage, virtual_account};
use crate::error::AppError;
use crate::model::{
    LicenseInPool, LicenseTransferForm, ShortageMove, ShortagePlanView, ShortagesResolved,
};
use crate::services::pools;

/// What the planner and the page need: the pools the actor sees, and each license's holdings in
/// them (pool → in use, lots).
struct Loaded {
    pools: Vec<virtual_account::Model>,
    licenses: Vec<LicenseHoldings>,
}

async fn load(db: &impl ConnectionTrait, actor: &Actor) -> Result<Loaded, AppError> {
    let pools = pools::visible(db, actor).await?;
    let ids: Vec<i64> = pools.iter().map(|p| p.id).collect();
    let lots = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.is_in(ids.clone()))
        .all(db)
        .await?;
    let usage = pool_usage::Entity::find()
        .filter(pool_usage::Column::VirtualAccountId.is_in(ids))
        .filter(pool_usage::Column::InUse.gt(0))
        .all(db)
        .await?;
    let catalogue = license::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    license::Column::Id
                        .is_in(lots.iter().map(|l| l.license_id).collect::<Vec<_>>()),
                )
                .add(
                    license::Column::Tag
                        .is_in(usage.iter().map(|u| u.tag.clone()).collect::<Vec<_>>()),
                ),
        )
        .all(db)
        .await?;
    let by_tag: HashMap<&str, i64> = catalogue.iter().map(|l| (l.tag.as_str(), l.id)).collect();
    // license → pool → holding
    let mut held: BTreeMap<i64, BTreeMap<i64, Holding>> = BTreeMap::new();
    fn holding(
        held: &mut BTreeMap<i64, BTreeMap<i64, Holding>>,
        license: i64,
        pool: i64,
    ) -> &mut Holding {
        held.entry(license)
            .or_default()
            .entry(pool)
            .or_insert_with(|| Holding {
                pool,
                in_use: 0,
                lots: Vec::new(),
            })
    }
    for lot in &lots {
        holding(&mut held, lot.license_id, lot.virtual_account_id)
            .lots
            .push(LotTerm {
                id: lot.id,
                quantity: lot.quantity,
                starts_at: lot.starts_at,
                ends_at: lot.ends_at,
                origin: lot.origin_lot_id,
            });
    }
    for u in &usage {
        if let Some(&license) = by_tag.get(u.tag.as_str()) {
            holding(&mut held, license, u.virtual_account_id).in_use = u.in_use;
        }
    }
    let tags: HashMap<i64, &str> = catalogue.iter().map(|l| (l.id, l.tag.as_str())).collect();
    // Where each tag is expected to run short (the daily forecast): those pools give last.
    let mut expecting: HashMap<String, BTreeSet<i64>> = HashMap::new();
    for f in license_forecast::Entity::find()
        .filter(license_forecast::Column::VirtualAccountId.is_in(pools.iter().map(|p| p.id)))
        .all(db)
        .await?
    {
        expecting
            .entry(f.tag)
            .or_default()
            .insert(f.virtual_account_id);
    }
    let licenses = held
        .into_iter()
        .filter_map(|(license, pools)| {
            let tag = (*tags.get(&license)?).to_owned();
            Some(LicenseHoldings {
                license,
                expecting_shortage: expecting.get(&tag).cloned().unwrap_or_default(),
                tag,
                holdings: pools.into_values().collect(),
            })
        })
        .collect();
    Ok(Loaded { pools, licenses })
}

/// The plan among the pools `actor` may change.
fn plan(loaded: &Loaded, actor: &Actor, now: DateTime<Utc>) -> ShortagePlan {
    let changeable: Vec<LicenseHoldings> = loaded
        .licenses
        .iter()
        .map(|l| LicenseHoldings {
            holdings: l
                .holdings
                .iter()
                .filter(|h| actor.can_change(h.pool))
                .cloned()
                .collect(),
            ..l.clone()
        })
        .collect();
    plan_shortages(&changeable, now)
}

/// The plan's fingerprint: the moves it makes (a plan made again from the same licenses has it).
fn fingerprint(plan: &ShortagePlan) -> String {
    let text = serde_json::to_string(&plan.moves).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The plan as "Resolve Shortages…" shows it.
pub async fn shortage_plan(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ShortagePlanView, AppError> {
    let loaded = load(db, actor).await?;
    let plan = plan(&loaded, actor, now);
    let name = |id: i64| {
        loaded
            .pools
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let mut out_of_reach = Vec::new();
    for license in &loaded.licenses {
        for h in license
            .holdings
            .iter()
            .filter(|h| !actor.can_change(h.pool))
        {
            let short = h.in_use - active_at(&h.lots, now);
            if short > 0 {
                out_of_reach.push((name(h.pool), license.tag.clone(), short));
            }
        }
    }
    out_of_reach.sort();
    Ok(ShortagePlanView {
        fingerprint: fingerprint(&plan),
        moves: plan
            .moves
            .iter()
            .map(|m| ShortageMove {
                tag: m.tag.clone(),
                license: m.license,
                from_pool: m.from,
                from_name: name(m.from),
                to_pool: m.to,
                to_name: name(m.to),
                quantity: m.quantity,
                from_balance: m.from_balance,
                to_balance: m.to_balance,
                from_expects_shortage: m.from_expects_shortage,
            })
            .collect(),
        missing: plan
            .missing
            .iter()
            .map(|m| (m.tag.clone(), m.quantity))
            .collect(),
        out_of_reach,
    })
}

/// Runs the plan whose fingerprint is `expected` as one transaction: every pool the actor may change
/// is locked first, the plan is made again from what is there now and refused if it differs (the
/// licenses changed since the page showed it), then each move is a transfer with its events.
pub async fn apply(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    expected: &str,
    now: DateTime<Utc>,
) -> Result<ShortagesResolved, AppError> {
    let changeable: Vec<i64> = pools::visible(db, actor)
        .await?
        .into_iter()
        .map(|p| p.id)
        .filter(|&id| actor.can_change(id))
        .collect();
    let stale = || {
        AppError::validation(
            "plan",
            "The licenses changed since this plan was made. Review the new plan, then apply it.",
        )
    };
    // The lock is the transaction's first statement: on SQLite it takes the writer lock (waiting
    // its turn) before anything is read, so that the transaction never has to upgrade.
    let txn = crate::services::begin_writing(db).await?;
    if !pools::lock(&txn, actor.smart_account_id, &changeable).await? {
        return Err(stale());
    }
    let loaded = load(&txn, actor).await?;
    let plan = plan(&loaded, actor, now);
    if plan.moves.is_empty() {
        return Err(AppError::validation(
            "plan",
            "There is nothing to transfer: no shortage can be cleared from the virtual accounts you may change.",
        ));
    }
    if fingerprint(&plan) != expected.trim() {
        return Err(stale());
    }
    let mut quantity = 0;
    for m in &plan.moves {
        let form = LicenseTransferForm {
            from: LicenseInPool {
                pool: m.from,
                license: m.license,
            },
            fields: TransferForm {
                target: m.to.to_string(),
                quantity: m.quantity.to_string(),
            },
        };
        super::transfer::transfer_in(&txn, actor, form, m.order, now).await?;
        quantity += m.quantity;
    }
    txn.commit().await?;
    Ok(ShortagesResolved {
        transfers: plan.moves.len(),
        quantity,
    })
}
