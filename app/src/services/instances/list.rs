//! The Product Instances tab's list: keyset pages on (pool, sort column, id) indexes both ways, a
//! search anywhere in the row by trigram indexes, a status filter in SQL, and a total.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Statement,
};

use super::short_tags;
use crate::domain::device::sql::{instance_status, uses_a_tag};
use crate::domain::device::InstanceStatus;
use crate::domain::roles::Actor;
use crate::entities::{instance_usage, product_instance as pi};
use crate::error::AppError;
use crate::model::{InstancePage, InstanceQuery, InstanceRow, InstanceSort};
use crate::services::{pools, usage};

/// Rows per page of the Product Instances tab.
pub const PAGE_SIZE: u64 = crate::model::INSTANCE_PAGE_SIZE;
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
    // The redundant bound (`col <= value`) gives the index where to start reading: without it
    // PostgreSQL reads the (pool, column, id) index from the pool's end to the cursor.
    Ok(if descending {
        Condition::all().add(col.lte(value.clone())).add(
            Condition::any().add(col.lt(value.clone())).add(
                Condition::all()
                    .add(col.eq(value))
                    .add(pi::Column::Id.lt(id)),
            ),
        )
    } else {
        Condition::all().add(col.gte(value.clone())).add(
            Condition::any().add(col.gt(value.clone())).add(
                Condition::all()
                    .add(col.eq(value))
                    .add(pi::Column::Id.gt(id)),
            ),
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

/// Counting the matches of a search or a status filter stops here ("10,000+"): an exact count of a
/// broad search would read every match of a million.
pub const COUNT_CAP: u64 = 10_000;

/// What PostgreSQL's trigram index covers (migration m0017), the four searched columns joined.
const POSTGRES_SEARCH_TEXT: &str =
    "(\"product_instances\".\"hostname\" || E'\\n' || \"product_instances\".\"sn\" || E'\\n' || \"product_instances\".\"pid\" || E'\\n' || \"product_instances\".\"product\")";

/// `text` for a LIKE pattern with `\` as its escape.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The instances with `search` anywhere in hostname, serial number, PID or product, whatever the
/// case (None: no search). SQLite reads the FTS5 trigram table `product_instance_search` (three
/// characters or more; shorter ones scan, still stopping at a page of matches); PostgreSQL the
/// `pg_trgm` index on the joined columns.
///
/// `dense`: the search matches more than [`COUNT_CAP`] instances (see [`is_dense`]); SQLite then
/// scans with LIKE along the page's index, which finds a page of matches at once, instead of
/// reading every match out of the FTS5 table.
pub(super) fn search_condition(backend: DbBackend, search: &str, dense: bool) -> Option<Condition> {
    let search = search.trim();
    if search.is_empty() {
        return None;
    }
    let expr = match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            format!("{POSTGRES_SEARCH_TEXT} ILIKE $1 ESCAPE '\\'"),
            [like_escaped(search)],
        ),
        _ if search.chars().count() >= 3 && !dense => Expr::cust_with_values(
            "\"product_instances\".\"id\" IN (SELECT rowid FROM product_instance_search \
             WHERE product_instance_search MATCH ?)",
            // One FTS5 string: every character literal, a quote doubled.
            [format!("\"{}\"", search.replace('"', "\"\""))],
        ),
        // SQLite's LIKE ignores the case of ASCII letters.
        _ => {
            let pattern = like_escaped(search);
            Expr::cust_with_values(
                "(\"product_instances\".\"hostname\" LIKE ? ESCAPE '\\' OR \"product_instances\".\"sn\" LIKE ? ESCAPE '\\' \
                 OR \"product_instances\".\"pid\" LIKE ? ESCAPE '\\' OR \"product_instances\".\"product\" LIKE ? ESCAPE '\\')",
                [pattern.clone(), pattern.clone(), pattern.clone(), pattern],
            )
        }
    };
    Some(Condition::all().add(expr))
}

/// Whether an SQLite search of three characters or more matches more than [`COUNT_CAP`]
/// instances of any pool (a few milliseconds: the FTS5 table stops reading at the cap).
async fn is_dense(db: &impl ConnectionTrait, search: &str) -> Result<bool, AppError> {
    let search = search.trim();
    if db.get_database_backend() != DbBackend::Sqlite || search.chars().count() < 3 {
        return Ok(false);
    }
    let probe = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM product_instance_search \
             WHERE product_instance_search MATCH ? LIMIT {})",
            COUNT_CAP + 1
        ),
        [format!("\"{}\"", search.replace('"', "\"\"")).into()],
    );
    let n: i64 = match db.query_one_raw(probe).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(n > COUNT_CAP as i64)
}

/// The instances of `pool` a list or a bulk action takes: matching `search`, in `status`.
pub(super) async fn matching(
    db: &impl ConnectionTrait,
    pool: i64,
    search: &str,
    status: Option<InstanceStatus>,
    now: DateTime<Utc>,
) -> Result<Condition, AppError> {
    let mut cond = Condition::all().add(pi::Column::VirtualAccountId.eq(pool));
    let dense = is_dense(db, search).await?;
    if let Some(found) = search_condition(db.get_database_backend(), search, dense) {
        cond = cond.add(found);
    }
    if let Some(status) = status {
        // Only a tag in use can be short.
        let tags: Vec<String> = usage::in_use(db, pool, None).await?.into_keys().collect();
        let short: Vec<String> = short_tags(db, pool, &tags, now)
            .await?
            .into_iter()
            .collect();
        let out_of_compliance = if short.is_empty() {
            Condition::all().add(Expr::val(1).eq(0))
        } else {
            Condition::all().add(uses_a_tag(
                Expr::col((instance_usage::Entity, instance_usage::Column::Tag)).is_in(short),
            ))
        };
        cond = cond.add(instance_status(status, now, out_of_compliance));
    }
    Ok(cond)
}

/// How many instances `cond` takes, counting up to `COUNT_CAP` (true: the exact count).
async fn count_up_to_cap(
    db: &impl ConnectionTrait,
    cond: Condition,
) -> Result<(u64, bool), AppError> {
    let matches = pi::Entity::find()
        .select_only()
        .column(pi::Column::Id)
        .filter(cond)
        .limit(COUNT_CAP + 1)
        .into_query();
    let count = Query::select()
        .expr_as(Func::count(Expr::val(1)), Alias::new("n"))
        .from_subquery(matches, Alias::new("m"))
        .to_owned();
    let n: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let n = u64::try_from(n).unwrap_or(0);
    Ok((Ord::min(n, COUNT_CAP), n <= COUNT_CAP))
}

/// One page of a pool's instances: after a cursor, before one (going back), or the first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: InstanceQuery,
    now: DateTime<Utc>,
) -> Result<InstancePage, AppError> {
    let pool = pools::find_visible(db, actor, q.pool).await?;
    let cond = matching(db, q.pool, &q.search, q.status, now).await?;
    let (total, total_exact) = if q.search.trim().is_empty() && q.status.is_none() {
        (u64::try_from(pool.instance_count).unwrap_or(0), true)
    } else {
        count_up_to_cap(db, cond.clone()).await?
    };
    let filtered = !(q.search.trim().is_empty() && q.status.is_none());
    // On SQLite a filter that few instances pass (counted exactly) is read as the set of its
    // matches, by whichever index finds them best, then sorted: walking the page's index would read
    // every instance of the pool to find none or a few (a status nobody is in). PostgreSQL's
    // planner makes that choice itself, and the rewrite only slows it.
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let mut query = if filtered && total_exact && sqlite {
        let few = pi::Entity::find()
            .select_only()
            .column(pi::Column::Id)
            .filter(cond)
            .limit(COUNT_CAP + 1)
            .into_query();
        pi::Entity::find()
            .filter(pi::Column::VirtualAccountId.eq(q.pool))
            .filter(pi::Column::Id.in_subquery(few))
    } else {
        pi::Entity::find().filter(cond)
    };
    let descending = q.dir.is_desc();
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let before = q
        .before
        .as_deref()
        .filter(|b| !b.is_empty() && after.is_none());
    // Going back reads the order the other way from the cursor, then turns the rows round.
    let reading_down = descending != before.is_some();
    if let Some(cursor) = after.or(before) {
        query = query.filter(cursor_condition(q.sort, reading_down, cursor)?);
    }
    let col = q.sort.column();
    query = if reading_down {
        query.order_by_desc(col).order_by_desc(pi::Column::Id)
    } else {
        query.order_by_asc(col).order_by_asc(pi::Column::Id)
    };
    let size = q.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let mut rows = query.limit(size + 1).all(db).await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    let key = |m: &pi::Model| format!("{}\u{1f}{}", q.sort.key(m), m.id);
    let (next, prev) = if before.is_some() {
        rows.reverse();
        (
            rows.last().map(key),
            more.then(|| rows.first().map(key)).flatten(),
        )
    } else {
        (
            more.then(|| rows.last().map(key)).flatten(),
            after.and_then(|_| rows.first().map(key)),
        )
    };
    Ok(InstancePage {
        rows: describe(db, q.pool, &rows, now).await?,
        next,
        prev,
        total,
        total_exact,
    })
}
