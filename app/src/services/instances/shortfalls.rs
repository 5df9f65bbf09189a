//! What a transfer of product instances would leave short in its target, said before it is made.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use crate::domain::roles::Actor;
use crate::entities::{instance_usage, product_instance as pi};
use crate::error::AppError;
use crate::model::{BulkSelection, Shortfall};
use crate::services::{pools, usage};

use super::bulk::{selected, visible_pools};

/// The licenses that moving the selection to `target` would leave short there, and by how much:
/// the usage of the instances that would move (those in pools the actor may change, not
/// registered through a satellite, not already in the target) added to what the target uses,
/// against its active lots. Empty when the target has enough of everything.
pub async fn shortfalls(
    db: &impl ConnectionTrait,
    actor: &Actor,
    selection: &BulkSelection,
    target: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Shortfall>, AppError> {
    let to = pools::find_visible(db, actor, target)
        .await
        .map_err(|_| AppError::validation("target", "Pick a virtual account you may change."))?;
    let changeable: Vec<i64> = visible_pools(db, actor)
        .await?
        .into_iter()
        .filter(|&p| actor.can_change(p))
        .collect();
    let moving = selected(db, actor, selection, now)
        .await?
        .filter(pi::Column::SatelliteId.is_null())
        .filter(pi::Column::VirtualAccountId.ne(to.id))
        .filter(pi::Column::VirtualAccountId.is_in(changeable))
        .select_only()
        .column(pi::Column::Id)
        .into_query();
    let rows: Vec<(String, Option<i64>)> = instance_usage::Entity::find()
        .select_only()
        .column(instance_usage::Column::Tag)
        .column_as(
            Expr::col(instance_usage::Column::Count)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "moving",
        )
        .filter(instance_usage::Column::ProductInstanceId.in_subquery(moving))
        .group_by(instance_usage::Column::Tag)
        .into_tuple()
        .all(db)
        .await?;
    let moving: BTreeMap<String, i64> = rows
        .into_iter()
        .map(|(tag, n)| (tag, n.unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    if moving.is_empty() {
        return Ok(Vec::new());
    }
    let tags: Vec<String> = moving.keys().cloned().collect();
    let in_use = usage::in_use(db, to.id, Some(&tags)).await?;
    let active = usage::active_quantity(db, to.id, Some(&tags), now).await?;
    Ok(moving
        .into_iter()
        .filter_map(|(tag, n)| {
            let used = in_use.get(&tag).copied().unwrap_or(0);
            let held = active.get(&tag).copied().unwrap_or(0);
            let before = Ord::max(used - held, 0);
            let after = Ord::max(used + n - held, 0);
            (after > before).then(|| Shortfall {
                tag,
                short: after,
                added: after - before,
            })
        })
        .collect())
}
