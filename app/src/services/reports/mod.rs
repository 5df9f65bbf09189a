//! Reports over the database: each report's rows for what the actor may see, in keyset pages, so that
//! an export of a million rows never holds them all and a preview reads only its first page.
//!
//! A `Scope` is resolved once per request (the pools asked for and visible, the tags each pool is
//! short of, the catalogue's names); `count` and `page` then read one report within it. The filters
//! are SQL conditions here; `rows` turns what the queries read into each report's row struct.

mod filters;
mod rows;

use filters::{event_condition, instance_condition, token_condition, usage_condition};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::domain::reports::{Cell, ReportFilter, ReportKind, ReportRow, ReportStatus};
use crate::domain::roles::Actor;
use crate::entities::{
    event, instance_usage, license, product_instance as pi, token, usage_snapshot, virtual_account,
};
use crate::error::AppError;

use super::pools;
use crate::domain::device::sql::uses_a_tag;

/// Rows an export reads per query.
pub const EXPORT_PAGE_ROWS: u64 = 2_000;

/// One pool in a report's scope.
#[derive(Debug, Clone)]
pub struct ScopePool {
    pub id: i64,
    pub name: String,
    pub can_change: bool,
}

/// What a report may read for one request.
#[derive(Debug, Clone)]
pub struct Scope {
    pub actor: Actor,
    pub filter: ReportFilter,
    pub now: DateTime<Utc>,
    /// The pools asked for (or all the actor sees), by name.
    pub pools: Vec<ScopePool>,
    /// Whether the user asked for every pool (account-wide events then come too).
    pub all_pools: bool,
    /// Per pool, the tags it holds fewer active licenses of than its instances use.
    short: HashMap<i64, Vec<String>>,
    /// Catalogue names by tag.
    names: HashMap<String, String>,
}

/// A page of rows; `next` is the cursor of the following page.
#[derive(Debug, Clone, Default)]
pub struct RowPage {
    pub rows: Vec<Vec<Cell>>,
    pub next: Option<i64>,
}

impl RowPage {
    /// A page of typed rows as cells.
    fn of<R: ReportRow>(rows: Vec<R>, next: Option<i64>) -> RowPage {
        RowPage {
            rows: rows.into_iter().map(ReportRow::cells).collect(),
            next,
        }
    }
}

/// Resolves the pools of `filter` against what the actor sees; an unknown or hidden pool is an error
/// on the `va` field (a pool of another account reads exactly like one that does not exist).
pub async fn scope(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: ReportFilter,
    now: DateTime<Utc>,
) -> Result<Scope, AppError> {
    let visible = pools::visible(db, actor).await?;
    let all_pools = filter.pools.is_empty();
    let chosen: Vec<virtual_account::Model> = if all_pools {
        visible
    } else {
        for id in &filter.pools {
            if !visible.iter().any(|p| p.id == *id) {
                return Err(AppError::validation(
                    "va",
                    format!("There is no virtual account {id} that you can see."),
                ));
            }
        }
        visible
            .into_iter()
            .filter(|p| filter.pools.contains(&p.id))
            .collect()
    };
    // The short tags of every chosen pool, in the one grouped query the Alerts page runs.
    let ids: Vec<i64> = chosen.iter().map(|p| p.id).collect();
    let mut short: HashMap<i64, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        for r in db.query_all(&super::alerts::shortages(&ids, now)).await? {
            short
                .entry(r.try_get("", "pool")?)
                .or_default()
                .push(r.try_get("", "tag")?);
        }
    }
    let names = license::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.tag, l.name))
        .collect();
    Ok(Scope {
        pools: chosen
            .into_iter()
            .map(|p| ScopePool {
                can_change: actor.can_change(p.id),
                id: p.id,
                name: p.name,
            })
            .collect(),
        actor: actor.clone(),
        filter,
        now,
        all_pools,
        short,
        names,
    })
}

impl Scope {
    fn pool_ids(&self) -> Vec<i64> {
        self.pools.iter().map(|p| p.id).collect()
    }

    fn pool_name(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.pools.iter().find(|p| p.id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    fn is_short(&self, pool: i64, tag: &str) -> bool {
        self.short
            .get(&pool)
            .is_some_and(|tags| tags.iter().any(|t| t == tag))
    }

    /// The status filter if it is one of `kind`'s (a Full Inventory passes it to the parts it fits).
    fn status(&self, kind: ReportKind) -> Option<ReportStatus> {
        self.filter.status.filter(|s| kind.statuses().contains(s))
    }

    /// Usage rows of an instance in a pool that lacks licenses for them (SQL, for `pi` rows).
    fn out_of_compliance_instances(&self) -> Condition {
        let mut any = Condition::any();
        for (pool, tags) in &self.short {
            if tags.is_empty() {
                continue;
            }
            any = any.add(
                Condition::all()
                    .add(pi::Column::VirtualAccountId.eq(*pool))
                    .add(uses_a_tag(
                        Expr::col((instance_usage::Entity, instance_usage::Column::Tag))
                            .is_in(tags.clone()),
                    )),
            );
        }
        if any.is_empty() {
            // No pool is short: nothing is out of compliance.
            Condition::all().add(Expr::val(1).eq(0))
        } else {
            any
        }
    }

    /// Usage rows whose tag their pool is short of (SQL, for `instance_usages` rows).
    fn out_of_compliance_usages(&self) -> Condition {
        let mut any = Condition::any();
        for (pool, tags) in &self.short {
            if !tags.is_empty() {
                any = any.add(
                    Condition::all()
                        .add(instance_usage::Column::VirtualAccountId.eq(*pool))
                        .add(instance_usage::Column::Tag.is_in(tags.clone())),
                );
            }
        }
        if any.is_empty() {
            Condition::all().add(Expr::val(1).eq(0))
        } else {
            any
        }
    }
}

/// How many rows `kind` has in `scope`.
pub async fn count(
    db: &impl ConnectionTrait,
    scope: &Scope,
    kind: ReportKind,
) -> Result<u64, AppError> {
    Ok(match kind {
        ReportKind::Licenses => rows::licenses(db, scope).await?.len() as u64,
        ReportKind::VirtualAccounts => rows::pools(db, scope).await?.len() as u64,
        ReportKind::ProductInstances => {
            pi::Entity::find()
                .filter(instance_condition(scope))
                .count(db)
                .await?
        }
        ReportKind::LicenseUsage => {
            instance_usage::Entity::find()
                .filter(usage_condition(scope))
                .count(db)
                .await?
        }
        ReportKind::LicenseUsageHistory => {
            usage_snapshot::Entity::find()
                .filter(filters::history_condition(scope))
                .count(db)
                .await?
        }
        ReportKind::Tokens => {
            token::Entity::find()
                .filter(token_condition(scope))
                .count(db)
                .await?
        }
        ReportKind::EventLog => {
            event::Entity::find()
                .filter(event_condition(scope))
                .count(db)
                .await?
        }
        ReportKind::FullInventory => {
            let mut total = 0;
            for part in ReportKind::SINGLE {
                total += Box::pin(count(db, scope, part)).await?;
            }
            total
        }
    })
}

/// Up to `limit` rows of `kind` after the cursor `after` (None: from the start).
pub async fn page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    kind: ReportKind,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    match kind {
        ReportKind::Licenses => Ok(slice(rows::licenses(db, scope).await?, after, limit)),
        ReportKind::VirtualAccounts => Ok(slice(rows::pools(db, scope).await?, after, limit)),
        ReportKind::ProductInstances => rows::instances(db, scope, after, limit).await,
        ReportKind::LicenseUsage => rows::usage(db, scope, after, limit).await,
        ReportKind::LicenseUsageHistory => rows::history(db, scope, after, limit).await,
        ReportKind::Tokens => rows::tokens(db, scope, after, limit).await,
        ReportKind::EventLog => rows::events(db, scope, after, limit).await,
        ReportKind::FullInventory => Err(AppError::validation(
            "report",
            "Full Inventory is an export of every report; preview one report at a time.",
        )),
    }
}

/// Pages over a small report computed whole; the cursor is the offset.
fn slice<R: ReportRow>(rows: Vec<R>, after: Option<i64>, limit: u64) -> RowPage {
    let start = usize::try_from(after.unwrap_or(0)).unwrap_or(0);
    let total = rows.len();
    let end = start.saturating_add(limit as usize).min(total);
    let next = (end < total).then_some(end as i64);
    RowPage::of(
        rows.into_iter()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect(),
        next,
    )
}

fn next_cursor<T>(rows: &mut Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> Option<i64> {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(id)
    } else {
        None
    }
}

/// One keyset page of `E` rows matching `cond`, by id (descending or not), after the cursor `after`;
/// returns the rows and the cursor of the next page.
async fn keyset<E: EntityTrait>(
    db: &impl ConnectionTrait,
    cond: Condition,
    id: E::Column,
    descending: bool,
    after: Option<i64>,
    limit: u64,
    id_of: impl Fn(&E::Model) -> i64,
) -> Result<(Vec<E::Model>, Option<i64>), AppError> {
    let mut query = E::find().filter(cond);
    if let Some(after) = after {
        query = query.filter(if descending {
            id.lt(after)
        } else {
            id.gt(after)
        });
    }
    let order = if descending { Order::Desc } else { Order::Asc };
    let mut rows = query.order_by(id, order).limit(limit + 1).all(db).await?;
    let next = next_cursor(&mut rows, limit, id_of);
    Ok((rows, next))
}
