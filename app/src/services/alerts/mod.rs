//! The alerts of the virtual accounts an actor sees, gathered with a fixed number of grouped queries
//! whatever the size of the estate: shortages from the pools' usage counters against their active
//! lots, expiries from the lots summed per license, silent instances from the per-pool, per-hour
//! counters the database keeps with every write (`silence_hours`) and the current hour's index
//! entries, unrenewed ones through the index on (pool, authorization end), and the pools' live tokens
//! ending within a week. No query loads instances one by one. `count`, the navigation's badge,
//! counts the same alerts: the license statements wrapped in `COUNT(*)`, and for silent or unrenewed
//! instances (one alert per pool) an `EXISTS` probe per pool rather than counting the instances.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::alerts::{self, Alert, AlertSource, InstanceGroup, PoolName, Severity};
use crate::domain::error::FieldError;
use crate::domain::roles::{Action, Actor};
use crate::entities::{license, license_forecast, product_instance as pi, token};
use crate::error::AppError;
use crate::model::AlertQuery;

mod queries;

use queries::{
    count_rows, expiring_tokens, lot_standings, pools_with, silent_condition, silent_groups,
    unrenewed, unrenewed_condition,
};
pub(crate) use queries::{fold_silence_moves, shortages};

use super::{pools, require};

/// What the Alerts page asks for, parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// One virtual account, or every one the actor sees.
    pub pool: Option<i64>,
    pub severity: Option<Severity>,
}

impl TryFrom<AlertQuery> for AlertFilter {
    type Error = FieldError;

    fn try_from(q: AlertQuery) -> Result<AlertFilter, FieldError> {
        let severity = match q.severity.trim() {
            "" => None,
            name => Some(
                Severity::parse(name)
                    .ok_or_else(|| FieldError::new("severity", "Pick a severity from the list."))?,
            ),
        };
        Ok(AlertFilter {
            pool: q.pool,
            severity,
        })
    }
}

/// The pools in scope: the one asked for (if the actor may see it), else all the actor sees.
async fn scope(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: Option<i64>,
) -> Result<Vec<PoolName>, AppError> {
    if let Some(id) = pool {
        require(actor, Action::ViewPool(id))?;
        let found = pools::find_visible(db, actor, id).await?;
        return Ok(vec![PoolName {
            id: found.id,
            name: found.name,
        }]);
    }
    Ok(pools::refs(db, actor)
        .await?
        .into_iter()
        .map(|p| PoolName {
            id: p.id,
            name: p.name,
        })
        .collect())
}

/// How many alerts the actor has across every pool they see: the navigation's badge.
pub async fn count(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let pools = scope(db, actor, None).await?;
    let ids: Vec<i64> = pools.iter().map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let mut total = 0;
    for stmt in [shortages(&ids, now), lot_standings(&ids, now)] {
        total += count_rows(db, stmt).await?;
    }
    // One alert per pool with any silent (or unrenewed) instance, whatever their number.
    total += pools_with(db, &ids, silent_condition(now)).await?;
    total += pools_with(db, &ids, unrenewed_condition(now)).await?;
    total += expiring_tokens(&ids, now).count(db).await?;
    total += satellite_alerts(db, &pools, now).await?.len() as u64;
    total += license_forecast::Entity::find()
        .filter(license_forecast::Column::VirtualAccountId.is_in(ids.clone()))
        .count(db)
        .await?;
    Ok(total)
}

/// The actor's alerts, filtered, most severe first (`alerts::sort`).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: AlertFilter,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>, AppError> {
    let scope = scope(db, actor, filter.pool).await?;
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = scope.iter().map(|p| p.id).collect();
    let names: HashMap<i64, &PoolName> = scope.iter().map(|p| (p.id, p)).collect();
    let pool_of = |id: i64| -> Result<&PoolName, AppError> {
        names.get(&id).copied().ok_or_else(|| {
            tracing::error!(pool = id, "alert query returned a pool out of scope");
            AppError::Internal
        })
    };
    let mut found = Vec::new();

    for r in db.query_all(&shortages(&ids, now)).await? {
        let tag: String = r.try_get("", "tag")?;
        let name: Option<String> = r.try_get("", "name")?;
        let source = AlertSource::License {
            license_id: r.try_get("", "license_id")?,
            name: name.unwrap_or_else(|| tag.clone()),
            tag,
        };
        let pool = pool_of(r.try_get("", "pool")?)?;
        found.extend(alerts::insufficient(
            pool,
            source,
            r.try_get("", "active")?,
            r.try_get("", "in_use")?,
            now,
        ));
    }

    for r in db.query_all(&lot_standings(&ids, now)).await? {
        let source = AlertSource::License {
            license_id: Some(r.try_get("", "license_id")?),
            tag: r.try_get("", "tag")?,
            name: r.try_get("", "name")?,
        };
        let pool = pool_of(r.try_get("", "pool")?)?;
        let nearest: Option<DateTime<Utc>> = r.try_get("", "nearest_expiry")?;
        let last_end: Option<DateTime<Utc>> = r.try_get("", "last_end")?;
        let (lots, expired): (i64, i64) = (r.try_get("", "lots")?, r.try_get("", "expired_lots")?);
        match (nearest, last_end) {
            (Some(end), _) => found.extend(alerts::expiring(pool, source, end, now)),
            (None, Some(last)) if lots > 0 && lots == expired => {
                found.push(alerts::expired(pool, source, last, now))
            }
            _ => {}
        }
    }

    let silent_rows = silent_groups(db, &ids, now).await?;
    let unrenewed_rows = groups(db, unrenewed(&ids, now)).await?;
    let first_ids: Vec<i64> = silent_rows
        .iter()
        .chain(&unrenewed_rows)
        .map(|g| g.3)
        .collect();
    let hostnames = hostnames(db, first_ids).await?;
    for (rows, make) in [
        (silent_rows, alerts::failed_to_connect as GroupAlert),
        (unrenewed_rows, alerts::failed_to_renew),
    ] {
        for (pool, count, earliest, first_id) in rows {
            let group = InstanceGroup {
                count,
                first_id,
                first_hostname: hostnames.get(&first_id).cloned().unwrap_or_default(),
                earliest,
            };
            found.push(make(pool_of(pool)?, &group, now));
        }
    }

    for t in expiring_tokens(&ids, now)
        .order_by_asc(token::Column::ExpiresAt)
        .all(db)
        .await?
    {
        let source = AlertSource::Token {
            id: t.id,
            token: crate::domain::tokens::shorten(&t.token),
            description: t.description,
        };
        found.extend(alerts::token(
            pool_of(t.virtual_account_id)?,
            source,
            t.expires_at,
            now,
        ));
    }

    found.extend(satellite_alerts(db, &scope, now).await?);
    found.extend(expected_shortages(db, &ids, &pool_of, now).await?);

    if let Some(severity) = filter.severity {
        found.retain(|a| a.severity == severity);
    }
    alerts::sort(&mut found);
    Ok(found)
}

/// Makes the alert of a group of instances.
type GroupAlert = fn(&PoolName, &InstanceGroup, DateTime<Utc>) -> Alert;

/// Rows of `unrenewed`: pool, count, earliest moment, lowest id.
async fn groups(
    db: &impl ConnectionTrait,
    stmt: SelectStatement,
) -> Result<Vec<(i64, i64, DateTime<Utc>, i64)>, AppError> {
    let mut out = Vec::new();
    for r in db.query_all(&stmt).await? {
        let earliest: Option<DateTime<Utc>> = r.try_get("", "earliest")?;
        if let Some(earliest) = earliest {
            out.push((
                r.try_get("", "pool")?,
                r.try_get("", "n")?,
                earliest,
                r.try_get("", "first_id")?,
            ));
        }
    }
    Ok(out)
}

/// Hostnames of a few instances (one per alert), in one query.
async fn hostnames(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(pi::Entity::find()
        .select_only()
        .column(pi::Column::Id)
        .column(pi::Column::Hostname)
        .filter(pi::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// "Satellite Not Synchronized" for the satellites serving pools in scope, once each (in the first of
/// its pools the actor sees, by name).
async fn satellite_alerts(
    db: &impl ConnectionTrait,
    scope: &[PoolName],
    now: DateTime<Utc>,
) -> Result<Vec<Alert>, AppError> {
    use crate::entities::{satellite, satellite_pool};
    let ids: Vec<i64> = scope.iter().map(|p| p.id).collect();
    let grants = satellite_pool::Entity::find()
        .filter(satellite_pool::Column::VirtualAccountId.is_in(ids))
        .all(db)
        .await?;
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for s in satellite::Entity::find()
        .filter(
            satellite::Column::Id.is_in(grants.iter().map(|g| g.satellite_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
    {
        let mut pools: Vec<&PoolName> = grants
            .iter()
            .filter(|g| g.satellite_id == s.id)
            .filter_map(|g| scope.iter().find(|p| p.id == g.virtual_account_id))
            .collect();
        pools.sort_by(|a, b| a.name.cmp(&b.name));
        let Some(pool) = pools.first() else { continue };
        let source = AlertSource::Satellite {
            id: s.id,
            name: s.name.clone(),
        };
        found.extend(alerts::satellite_not_synchronized(
            pool,
            source,
            s.last_sync_at,
            s.created_at,
            now,
        ));
    }
    Ok(found)
}

/// "Shortage Expected" for the pools' forecast shortages (`services::forecasts`).
async fn expected_shortages<'p>(
    db: &impl ConnectionTrait,
    ids: &[i64],
    pool_of: &impl Fn(i64) -> Result<&'p PoolName, AppError>,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>, AppError> {
    let forecasts = license_forecast::Entity::find()
        .filter(license_forecast::Column::VirtualAccountId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let tags: Vec<String> = forecasts.iter().map(|f| f.tag.clone()).collect();
    let catalogue: HashMap<String, license::Model> = license::Entity::find()
        .filter(license::Column::Tag.is_in(tags))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.tag.clone(), l))
        .collect();
    let mut out = Vec::with_capacity(forecasts.len());
    for f in forecasts {
        let known = catalogue.get(&f.tag);
        let source = AlertSource::License {
            license_id: known.map(|l| l.id),
            name: known.map_or_else(|| f.tag.clone(), |l| l.name.clone()),
            tag: f.tag,
        };
        let on = f
            .shortage_on
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(now);
        out.push(alerts::shortage_expected(
            pool_of(f.virtual_account_id)?,
            source,
            on,
            now,
        ));
    }
    Ok(out)
}
