//! The Product Instances tab's list: keyset pages on (pool, sort column, id) indexes, prefix search
//! by index ranges, statuses from the pool's usage counters.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::short_tags;
use crate::domain::device::InstanceStatus;
use crate::domain::roles::Actor;
use crate::entities::{instance_usage, product_instance as pi};
use crate::error::AppError;
use crate::model::{InstancePage, InstanceQuery, InstanceRow, InstanceSort};
use crate::services::pools;

/// Rows per page of the Product Instances tab.
pub const PAGE_SIZE: u64 = 50;
/// The most rows a page may ask for (the REST API's `limit`).
pub const MAX_PAGE_SIZE: u64 = 500;

/// How the tab's orders read the table: each is backed by an index on (pool, column, id).
trait SortColumn {
    fn column(self) -> pi::Column;
    fn key(self, m: &pi::Model) -> String;
}

impl SortColumn for InstanceSort {
    fn column(self) -> pi::Column {
        match self {
            InstanceSort::Hostname => pi::Column::Hostname,
            InstanceSort::Serial => pi::Column::Sn,
            InstanceSort::LastContact => pi::Column::LastContactAt,
            InstanceSort::Registered => pi::Column::RegisteredAt,
        }
    }

    /// The cursor value of a row for this order.
    fn key(self, m: &pi::Model) -> String {
        match self {
            InstanceSort::Hostname => m.hostname.clone(),
            InstanceSort::Serial => m.sn.clone(),
            InstanceSort::LastContact => m.last_contact_at.to_rfc3339(),
            InstanceSort::Registered => m.registered_at.to_rfc3339(),
        }
    }
}

/// The rows after a cursor (`<sort key>\u{1f}<id>` of the last row of the previous page).
fn cursor_condition(
    sort: InstanceSort,
    descending: bool,
    cursor: &str,
) -> Result<Condition, AppError> {
    let (key, id) = cursor
        .rsplit_once('\u{1f}')
        .ok_or_else(|| AppError::validation("after", "Bad page cursor."))?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::validation("after", "Bad page cursor."))?;
    let col = sort.column();
    let value: sea_orm::Value = match sort {
        InstanceSort::LastContact | InstanceSort::Registered => DateTime::parse_from_rfc3339(key)
            .map_err(|_| AppError::validation("after", "Bad page cursor."))?
            .with_timezone(&Utc)
            .into(),
        _ => key.to_owned().into(),
    };
    Ok(if descending {
        Condition::any().add(col.lt(value.clone())).add(
            Condition::all()
                .add(col.eq(value))
                .add(pi::Column::Id.lt(id)),
        )
    } else {
        Condition::any().add(col.gt(value.clone())).add(
            Condition::all()
                .add(col.eq(value))
                .add(pi::Column::Id.gt(id)),
        )
    })
}

/// Instances' statuses and license summaries for one page, in two indexed queries.
pub(super) async fn describe(
    db: &impl ConnectionTrait,
    pool: i64,
    rows: &[pi::Model],
    now: DateTime<Utc>,
) -> Result<Vec<InstanceRow>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let usages = instance_usage::Entity::find()
        .filter(instance_usage::Column::ProductInstanceId.is_in(ids))
        .order_by_asc(instance_usage::Column::Tag)
        .all(db)
        .await?;
    let tags: Vec<String> = usages
        .iter()
        .map(|u| u.tag.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let short = short_tags(db, pool, &tags, now).await?;
    let satellite_ids: Vec<i64> = rows.iter().filter_map(|m| m.satellite_id).collect();
    let satellites = crate::services::satellites::names_of(db, &satellite_ids).await?;
    let mut by_instance: HashMap<i64, Vec<&instance_usage::Model>> = HashMap::new();
    for u in &usages {
        by_instance
            .entry(u.product_instance_id)
            .or_default()
            .push(u);
    }
    Ok(rows
        .iter()
        .map(|m| {
            let mine = by_instance.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
            let ooc = mine.iter().any(|u| short.contains(&u.tag));
            let status = InstanceStatus::from_silence(m.silent_after, m.auth_expires_at, ooc, now);
            InstanceRow {
                id: m.id,
                hostname: m.hostname.clone(),
                product: m.product.clone(),
                pid: m.pid.clone(),
                sn: m.sn.clone(),
                last_contact_at: m.last_contact_at,
                status,
                licenses: mine
                    .iter()
                    .map(|u| format!("{} × {}", u.tag, u.count))
                    .collect::<Vec<_>>()
                    .join(", "),
                usage: mine.iter().map(|u| (u.tag.clone(), u.count)).collect(),
                via: m.satellite_id.and_then(|s| satellites.get(&s).cloned()),
            }
        })
        .collect())
}

/// The instances whose hostname or serial number starts with `search` (None: no search).
pub(super) fn search_condition(search: &str) -> Option<Condition> {
    let search = search.trim();
    if search.is_empty() {
        return None;
    }
    // Prefix ranges use the (pool, hostname) and (pool, sn) indexes; LIKE would not, everywhere.
    let upper = format!("{search}\u{10FFFF}");
    Some(
        Condition::any()
            .add(
                Condition::all()
                    .add(pi::Column::Hostname.gte(search))
                    .add(pi::Column::Hostname.lt(upper.as_str())),
            )
            .add(
                Condition::all()
                    .add(pi::Column::Sn.gte(search))
                    .add(pi::Column::Sn.lt(upper.as_str())),
            ),
    )
}

/// One page of a pool's instances.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: InstanceQuery,
    now: DateTime<Utc>,
) -> Result<InstancePage, AppError> {
    pools::find_visible(db, actor, q.pool).await?;
    let mut query = pi::Entity::find().filter(pi::Column::VirtualAccountId.eq(q.pool));
    if let Some(matching) = search_condition(&q.search) {
        query = query.filter(matching);
    }
    let descending = q.dir.is_desc();
    if let Some(after) = q.after.as_deref().filter(|a| !a.is_empty()) {
        query = query.filter(cursor_condition(q.sort, descending, after)?);
    }
    let col = q.sort.column();
    query = if descending {
        query.order_by_desc(col).order_by_desc(pi::Column::Id)
    } else {
        query.order_by_asc(col).order_by_asc(pi::Column::Id)
    };
    let size = q.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let mut rows = query.limit(size + 1).all(db).await?;
    let next = if rows.len() as u64 > size {
        rows.truncate(size as usize);
        rows.last()
            .map(|m| format!("{}\u{1f}{}", q.sort.key(m), m.id))
    } else {
        None
    };
    Ok(InstancePage {
        rows: describe(db, q.pool, &rows, now).await?,
        next,
    })
}
