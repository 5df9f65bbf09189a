//! The token misuse view: the devices a registration token brought in, with the flags of
//! `domain::misuse` computed against what the token's virtual account had without it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::misuse::{self, Baseline, Registration};
use crate::entities::{product_instance as pi, token};
use crate::error::AppError;
use crate::model::{TokenDeviceRow, TokenDevices};

use super::pools;

/// The most devices the view lists (oldest registration first).
pub const LIMIT: u64 = 2000;
/// The most distinct addresses of the pool read for the baseline.
const BASELINE_ADDRESSES: u64 = 100_000;

/// The token's devices and their flags; `NotFound` for a token of a pool the actor does not see.
pub async fn of_token(
    db: &impl ConnectionTrait,
    actor: &crate::domain::roles::Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<TokenDevices, AppError> {
    let tok = token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pool = pools::find_visible(db, actor, tok.virtual_account_id).await?;
    let names = pools::names(db, actor.smart_account_id).await?;
    let mut devices = pi::Entity::find()
        .filter(pi::Column::TokenId.eq(tok.id))
        .order_by_asc(pi::Column::RegisteredAt)
        .order_by_asc(pi::Column::Id)
        .limit(LIMIT + 1)
        .all(db)
        .await?;
    let more = devices.len() as u64 > LIMIT;
    devices.truncate(LIMIT as usize);
    let baseline = baseline(db, pool.id, tok.id).await?;
    let registrations: Vec<Registration> = devices
        .iter()
        .map(|m| Registration {
            at: m.registered_at,
            pid: m.pid.clone(),
            source: m.registered_from.as_deref().and_then(|s| s.parse().ok()),
        })
        .collect();
    let flags = misuse::flags(&registrations, &baseline);
    let rows = devices
        .into_iter()
        .zip(flags)
        // A device moved to a pool the actor does not see stays out of the list.
        .filter(|(m, _)| actor.sees_pool(m.virtual_account_id))
        .map(|(m, flags)| TokenDeviceRow {
            id: m.id,
            pool_name: names
                .get(&m.virtual_account_id)
                .cloned()
                .unwrap_or_default(),
            pool_id: m.virtual_account_id,
            can_change: actor.can_change(m.virtual_account_id) && m.satellite_id.is_none(),
            hostname: m.hostname,
            product: m.product,
            pid: m.pid,
            sn: m.sn,
            registered_at: m.registered_at,
            source: m.registered_from,
            flags,
        })
        .collect();
    Ok(TokenDevices {
        can_change: actor.can_change(pool.id),
        token: super::tokens::to_row(tok, actor.can_change(pool.id), now),
        pool_id: pool.id,
        pool_name: pool.name,
        rows,
        more,
    })
}

/// What the pool had without the token: the first registration of each product ID and of each
/// address (two grouped, indexed reads, not the pool's rows).
async fn baseline(db: &impl ConnectionTrait, pool: i64, token: i64) -> Result<Baseline, AppError> {
    let others = Condition::any()
        .add(pi::Column::TokenId.is_null())
        .add(pi::Column::TokenId.ne(token));
    let products: Vec<(String, DateTime<Utc>)> = pi::Entity::find()
        .select_only()
        .column(pi::Column::Pid)
        .column_as(pi::Column::RegisteredAt.min(), "first")
        .filter(pi::Column::VirtualAccountId.eq(pool))
        .filter(others.clone())
        .group_by(pi::Column::Pid)
        .into_tuple()
        .all(db)
        .await?;
    let addresses: Vec<(String, DateTime<Utc>)> = pi::Entity::find()
        .select_only()
        .column(pi::Column::RegisteredFrom)
        .column_as(pi::Column::RegisteredAt.min(), "first")
        .filter(pi::Column::VirtualAccountId.eq(pool))
        .filter(pi::Column::RegisteredFrom.is_not_null())
        .filter(others)
        .group_by(pi::Column::RegisteredFrom)
        .limit(BASELINE_ADDRESSES)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = Baseline::default();
    for (pid, at) in products {
        out.see(&pid, None, at);
    }
    for (address, at) in addresses {
        if let Ok(ip) = address.parse() {
            // The product map has every product already; this only adds the address's range.
            out.see_address(ip, at);
        }
    }
    Ok(out)
}
