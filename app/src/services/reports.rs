//! Reports over the database: each report's rows for what the actor may see, in keyset pages, so that
//! an export of a million rows never holds them all and a preview reads only its first page.
//!
//! A `Scope` is resolved once per request (the pools asked for and visible, the tags each pool is
//! short of, the catalogue's names); `count` and `page` then read one report within it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::domain::device::InstanceStatus;
use crate::domain::licenses::LicenseAlert;
use crate::domain::reports::{Cell, FilterError, ReportFilter, ReportKind};
use crate::domain::roles::Actor;
use crate::entities::{
    event, instance_usage, license, pool_usage, product_instance as pi, token, virtual_account,
};
use crate::error::AppError;
use crate::model::LicenseSort;
use crate::protocol::SYNC_INTERVAL_SECS;

use super::{licenses, pools, tokens};

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

impl From<FilterError> for AppError {
    fn from(e: FilterError) -> Self {
        AppError::validation(e.field, e.message)
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
    fn status(&self, kind: ReportKind) -> Option<&str> {
        self.filter
            .status
            .as_deref()
            .filter(|s| kind.statuses().iter().any(|(v, _)| v == s))
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
                    .add(Expr::exists(
                        Query::select()
                            .expr(Expr::val(1))
                            .from(instance_usage::Entity)
                            .and_where(
                                Expr::col((
                                    instance_usage::Entity,
                                    instance_usage::Column::ProductInstanceId,
                                ))
                                .equals((pi::Entity, pi::Column::Id)),
                            )
                            .and_where(
                                Expr::col((instance_usage::Entity, instance_usage::Column::Tag))
                                    .is_in(tags.clone()),
                            )
                            .to_owned(),
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
        ReportKind::Licenses => license_rows(db, scope).await?.len() as u64,
        ReportKind::VirtualAccounts => pool_rows(db, scope).await?.len() as u64,
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
        ReportKind::Licenses => Ok(slice(license_rows(db, scope).await?, after, limit)),
        ReportKind::VirtualAccounts => Ok(slice(pool_rows(db, scope).await?, after, limit)),
        ReportKind::ProductInstances => instance_page(db, scope, after, limit).await,
        ReportKind::LicenseUsage => usage_page(db, scope, after, limit).await,
        ReportKind::Tokens => token_page(db, scope, after, limit).await,
        ReportKind::EventLog => event_page(db, scope, after, limit).await,
        ReportKind::FullInventory => Err(AppError::validation(
            "report",
            "Full Inventory is an export of every report; preview one report at a time.",
        )),
    }
}

/// Pages over a small report computed whole; the cursor is the offset.
fn slice(rows: Vec<Vec<Cell>>, after: Option<i64>, limit: u64) -> RowPage {
    let start = usize::try_from(after.unwrap_or(0)).unwrap_or(0);
    let end = start.saturating_add(limit as usize).min(rows.len());
    let next = (end < rows.len()).then_some(end as i64);
    RowPage {
        rows: rows.get(start..end).map(<[_]>::to_vec).unwrap_or_default(),
        next,
    }
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

/// `column` within the filter's date range (no condition without one).
fn in_date_range(scope: &Scope, column: impl ColumnTrait) -> Condition {
    let (from, to) = scope.filter.time_range();
    let mut cond = Condition::all();
    if let Some(from) = from {
        cond = cond.add(column.gte(from));
    }
    if let Some(to) = to {
        cond = cond.add(column.lt(to));
    }
    cond
}

fn alert_code(alert: Option<LicenseAlert>) -> &'static str {
    match alert {
        Some(LicenseAlert::Insufficient { .. }) => "insufficient",
        Some(LicenseAlert::Expiring { .. }) => "expiring",
        Some(LicenseAlert::Expired) => "expired",
        None => "ok",
    }
}

/// Licenses per pool, as the Licenses tab computes them, by pool then license.
async fn license_rows(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<Vec<Cell>>, AppError> {
    let status = scope.status(ReportKind::Licenses);
    let mut out = Vec::new();
    for pool in &scope.pools {
        let mut n = 1;
        loop {
            let page = licenses::list(
                db,
                &scope.actor,
                licenses::LicenseQuery {
                    pool: pool.id,
                    text: String::new(),
                    sort: LicenseSort::License,
                    descending: false,
                    page: n,
                },
                scope.now,
            )
            .await?;
            for r in page.rows {
                if scope
                    .filter
                    .license
                    .as_deref()
                    .is_some_and(|tag| !tag.eq_ignore_ascii_case(&r.tag))
                    || status.is_some_and(|s| s != alert_code(r.alert))
                {
                    continue;
                }
                out.push(vec![
                    Cell::text(&pool.name),
                    Cell::text(r.name),
                    Cell::text(r.tag),
                    Cell::text(r.product_family),
                    Cell::Number(r.purchased),
                    Cell::Number(r.in_use),
                    Cell::Number(r.balance),
                    Cell::opt_time(r.nearest_expiry),
                    r.alert.map_or(Cell::Empty, |a| Cell::Text(a.label())),
                ]);
            }
            if page.page >= page.pages {
                break;
            }
            n += 1;
        }
    }
    Ok(out)
}

/// One row per pool with what it holds.
async fn pool_rows(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<Vec<Cell>>, AppError> {
    let ids = scope.pool_ids();
    let in_use: Vec<(i64, Option<i64>)> = pool_usage::Entity::find()
        .select_only()
        .column(pool_usage::Column::VirtualAccountId)
        .column_as(
            Expr::col(pool_usage::Column::InUse)
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "in_use",
        )
        .filter(pool_usage::Column::VirtualAccountId.is_in(ids.clone()))
        .group_by(pool_usage::Column::VirtualAccountId)
        .into_tuple()
        .all(db)
        .await?;
    let in_use: HashMap<i64, i64> = in_use
        .into_iter()
        .map(|(p, n)| (p, n.unwrap_or(0)))
        .collect();
    Ok(pools::list(db, &scope.actor, scope.now)
        .await?
        .into_iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| {
            vec![
                Cell::text(p.name),
                Cell::text(p.description),
                Cell::text(if p.is_default { "Yes" } else { "No" }),
                Cell::Number(p.licenses),
                Cell::Number(in_use.get(&p.id).copied().unwrap_or(0)),
                Cell::Number(p.tokens),
                Cell::Number(p.instances),
            ]
        })
        .collect())
}

/// The instances of the scope, with the status filter in SQL (the same rule as `InstanceStatus::of`).
fn instance_condition(scope: &Scope) -> Condition {
    let mut cond = Condition::all().add(pi::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if let Some(tag) = &scope.filter.license {
        cond = cond.add(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(instance_usage::Entity)
                .and_where(
                    Expr::col((
                        instance_usage::Entity,
                        instance_usage::Column::ProductInstanceId,
                    ))
                    .equals((pi::Entity, pi::Column::Id)),
                )
                .and_where(
                    Expr::col((instance_usage::Entity, instance_usage::Column::Tag))
                        .eq(tag.clone()),
                )
                .to_owned(),
        ));
    }
    cond = cond.add(in_date_range(scope, pi::Column::RegisteredAt));
    let silent_since = scope.now - Duration::seconds(2 * SYNC_INTERVAL_SECS);
    let failed = pi::Column::LastContactAt.lt(silent_since);
    let connected = pi::Column::LastContactAt.gte(silent_since);
    let expired = Condition::all()
        .add(pi::Column::AuthExpiresAt.is_not_null())
        .add(pi::Column::AuthExpiresAt.lte(scope.now));
    let current = Condition::any()
        .add(pi::Column::AuthExpiresAt.is_null())
        .add(pi::Column::AuthExpiresAt.gt(scope.now));
    match scope.status(ReportKind::ProductInstances) {
        Some("failed_to_connect") => cond.add(failed),
        Some("authorization_expired") => cond.add(connected).add(expired),
        Some("out_of_compliance") => cond
            .add(connected)
            .add(current)
            .add(scope.out_of_compliance_instances()),
        Some("authorized") => cond
            .add(connected)
            .add(current)
            .add(scope.out_of_compliance_instances().not()),
        _ => cond,
    }
}

async fn instance_page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<pi::Entity>(
        db,
        instance_condition(scope),
        pi::Column::Id,
        false,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut usages: BTreeMap<i64, Vec<instance_usage::Model>> = BTreeMap::new();
    for u in instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids))
        .order_by_asc(instance_usage::Column::Tag)
        .all(db)
        .await?
    {
        usages.entry(u.product_instance_id).or_default().push(u);
    }
    let rows = rows
        .into_iter()
        .map(|m| {
            let mine = usages.remove(&m.id).unwrap_or_default();
            let ooc = mine
                .iter()
                .any(|u| scope.is_short(m.virtual_account_id, &u.tag));
            let status = InstanceStatus::of(m.last_contact_at, m.auth_expires_at, ooc, scope.now);
            let entitlements = mine
                .iter()
                .map(|u| format!("{} × {}", u.tag, u.count))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Cell::text(scope.pool_name(Some(m.virtual_account_id))),
                Cell::text(m.hostname),
                Cell::text(m.product),
                Cell::text(m.pid),
                Cell::text(m.sn),
                m.software_version.map_or(Cell::Empty, Cell::Text),
                Cell::Time(m.registered_at),
                Cell::Time(m.last_contact_at),
                Cell::text(status.label()),
                Cell::Time(m.id_cert_expires_at),
                Cell::opt_time(m.auth_expires_at),
                Cell::text(entitlements),
            ]
        })
        .collect();
    Ok(RowPage { rows, next })
}

fn usage_condition(scope: &Scope) -> Condition {
    let mut cond =
        Condition::all().add(instance_usage::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if let Some(tag) = &scope.filter.license {
        cond = cond.add(instance_usage::Column::Tag.eq(tag.clone()));
    }
    match scope.status(ReportKind::LicenseUsage) {
        Some("out_of_compliance") => cond.add(scope.out_of_compliance_usages()),
        Some("authorized") => cond.add(scope.out_of_compliance_usages().not()),
        _ => cond,
    }
}

async fn usage_page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<instance_usage::Entity>(
        db,
        usage_condition(scope),
        instance_usage::Column::Id,
        false,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.product_instance_id).collect();
    let instances: HashMap<i64, pi::Model> = pi::Entity::find()
        .filter(pi::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let rows = rows
        .into_iter()
        .filter_map(|u| {
            let m = instances.get(&u.product_instance_id)?;
            let status = if scope.is_short(u.virtual_account_id, &u.tag) {
                "Out of Compliance"
            } else {
                "Authorized"
            };
            Some(vec![
                Cell::text(scope.pool_name(Some(u.virtual_account_id))),
                Cell::text(&m.hostname),
                Cell::text(&m.pid),
                Cell::text(&m.sn),
                Cell::text(&u.tag),
                scope.names.get(&u.tag).map_or(Cell::Empty, Cell::text),
                Cell::Number(u.count),
                Cell::text(status),
                Cell::Time(m.last_contact_at),
            ])
        })
        .collect();
    Ok(RowPage { rows, next })
}

fn token_condition(scope: &Scope) -> Condition {
    let mut cond = Condition::all().add(token::Column::VirtualAccountId.is_in(scope.pool_ids()));
    cond = cond.add(in_date_range(scope, token::Column::CreatedAt));
    let now = scope.now;
    let live = || {
        Condition::all()
            .add(token::Column::RevokedAt.is_null())
            .add(token::Column::ExpiresAt.gt(now))
    };
    let used_up = || {
        Condition::all()
            .add(token::Column::MaxUses.is_not_null())
            .add(Expr::col(token::Column::Uses).gte(Expr::col(token::Column::MaxUses)))
    };
    match scope.status(ReportKind::Tokens) {
        Some("revoked") => cond.add(token::Column::RevokedAt.is_not_null()),
        Some("expired") => cond
            .add(token::Column::RevokedAt.is_null())
            .add(token::Column::ExpiresAt.lte(now)),
        Some("exhausted") => cond.add(live()).add(used_up()),
        Some("active") => cond.add(live()).add(used_up().not()),
        _ => cond,
    }
}

async fn token_page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<token::Entity>(
        db,
        token_condition(scope),
        token::Column::Id,
        true,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|m| {
            let pool = m.virtual_account_id;
            let full = scope.pools.iter().any(|p| p.id == pool && p.can_change);
            let r = tokens::to_row(m, full, scope.now);
            vec![
                Cell::text(scope.pool_name(Some(pool))),
                Cell::text(r.token),
                Cell::text(r.description),
                Cell::text(r.created_by),
                Cell::Time(r.created_at),
                Cell::Time(r.expires_at),
                Cell::Number(i64::from(r.uses)),
                r.max_uses
                    .map_or(Cell::Empty, |n| Cell::Number(i64::from(n))),
                Cell::text(if r.allow_export_controlled {
                    "Allowed"
                } else {
                    "Not Allowed"
                }),
                Cell::text(r.state),
                r.revoke_reason.map_or(Cell::Empty, Cell::Text),
            ]
        })
        .collect();
    Ok(RowPage { rows, next })
}

/// The actor's events in the scope's pools; account-wide events too for account-wide roles asking for
/// every pool (as the Event Log shows them).
fn event_condition(scope: &Scope) -> Condition {
    let mut pools = Condition::any().add(event::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if scope.all_pools && scope.actor.role.is_account_wide() {
        pools = pools.add(event::Column::VirtualAccountId.is_null());
    }
    let mut cond = Condition::all()
        .add(event::Column::SmartAccountId.eq(scope.actor.smart_account_id))
        .add(pools);
    cond = cond.add(in_date_range(scope, event::Column::At));
    cond
}

async fn event_page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<event::Entity>(
        db,
        event_condition(scope),
        event::Column::Id,
        true,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|m| {
            let pool = scope.pool_name(m.virtual_account_id);
            let r = super::events::to_row(m);
            vec![
                Cell::Time(r.at),
                Cell::text(pool),
                Cell::text(r.actor),
                Cell::text(r.kind_label),
                Cell::text(r.message),
            ]
        })
        .collect();
    Ok(RowPage { rows, next })
}
