//! The Licenses tab's list: one SQL statement per page. The keys are the tags the pool holds in lots
//! or uses (a UNION), joined to the catalogue, to the lots summed per license, and to the pool's usage
//! counter; sorted by a whitelisted column and paged by LIMIT/OFFSET. Offset paging keeps any column
//! sortable and costs little at 10,000 rows per pool, all of them found through indexes
//! (`license_lots (virtual_account_id, license_id)`, `pool_usages` by its key, `licenses.tag`).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, Func, JoinType, LikeExpr, Order, Query, SelectStatement,
    UnionType,
};
use sea_orm::{ConnectionTrait, QueryResult};

use crate::domain::licenses::{Standing, EXPIRY_WARNING_DAYS};
use crate::domain::roles::{Action, Actor};
use crate::entities::{license, license_lot, pool_usage};
use crate::error::AppError;
use crate::model::{LicensePage, LicenseQuery, LicenseRow, LicenseSort};
use crate::services::events::escape_like;

use crate::domain::licenses::sql::{lot_is_active, lot_state};
use crate::domain::licenses::LotState;

use super::lot_col;

/// Rows per page of the Licenses tab.
pub const PAGE_SIZE: u64 = 50;

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// `expr` with NULL read as 0.
fn or_zero(expr: Expr) -> Expr {
    Func::coalesce([expr, Expr::val(0i64)]).into()
}

/// The tags the pool holds in any lot or uses.
fn keys(pool: i64) -> SelectStatement {
    let used = Query::select()
        .expr_as(
            Expr::col((pool_usage::Entity, pool_usage::Column::Tag)),
            Alias::new("tag"),
        )
        .from(pool_usage::Entity)
        .and_where(Expr::col((pool_usage::Entity, pool_usage::Column::VirtualAccountId)).eq(pool))
        .and_where(Expr::col((pool_usage::Entity, pool_usage::Column::InUse)).ne(0))
        .to_owned();
    Query::select()
        .expr_as(
            Expr::col((license::Entity, license::Column::Tag)),
            Alias::new("tag"),
        )
        .from(license_lot::Entity)
        .inner_join(
            license::Entity,
            Expr::col((license::Entity, license::Column::Id))
                .equals((license_lot::Entity, license_lot::Column::LicenseId)),
        )
        .and_where(lot_col(license_lot::Column::VirtualAccountId).eq(pool))
        .union(UnionType::Distinct, used)
        .to_owned()
}

/// The pool's lots summed per license at `now` (the fields of `Standing`).
fn lot_totals(pool: i64, now: DateTime<Utc>) -> SelectStatement {
    let ends = || lot_col(license_lot::Column::EndsAt);
    let bigint = || Alias::new("BIGINT");
    Query::select()
        .column((license_lot::Entity, license_lot::Column::LicenseId))
        .expr_as(
            Expr::case(lot_is_active(now), lot_col(license_lot::Column::Quantity))
                .finally(0)
                .sum()
                .cast_as(bigint()),
            Alias::new("purchased"),
        )
        .expr_as(
            Expr::case(lot_is_active(now).add(ends().is_not_null()), ends()).min(),
            Alias::new("nearest_expiry"),
        )
        .expr_as(lot_col(license_lot::Column::Id).count(), Alias::new("lots"))
        .expr_as(
            Expr::case(lot_state(LotState::Expired, license_lot::Entity, now), 1)
                .finally(0)
                .sum()
                .cast_as(bigint()),
            Alias::new("expired_lots"),
        )
        .from(license_lot::Entity)
        .and_where(lot_col(license_lot::Column::VirtualAccountId).eq(pool))
        .group_by_col((license_lot::Entity, license_lot::Column::LicenseId))
        .to_owned()
}

/// Keys joined to the catalogue, the lot totals and the usage counter, filtered by text.
fn joined(q: &LicenseQuery, now: DateTime<Utc>) -> SelectStatement {
    let mut stmt = Query::select()
        .from_subquery(keys(q.pool), Alias::new("k"))
        .join_as(
            JoinType::LeftJoin,
            license::Entity,
            Alias::new("l"),
            col("l", "tag").equals((Alias::new("k"), Alias::new("tag"))),
        )
        .join_subquery(
            JoinType::LeftJoin,
            lot_totals(q.pool, now),
            Alias::new("s"),
            col("s", "license_id").equals((Alias::new("l"), Alias::new("id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            pool_usage::Entity,
            Alias::new("u"),
            Cond::all()
                .add(col("u", "virtual_account_id").eq(q.pool))
                .add(col("u", "tag").equals((Alias::new("k"), Alias::new("tag")))),
        )
        .to_owned();
    let text = q.q.trim().to_lowercase();
    if !text.is_empty() {
        let like = |e: Expr| {
            Expr::from(Func::lower(e))
                .like(LikeExpr::new(format!("%{}%", escape_like(&text))).escape('\\'))
        };
        stmt.cond_where(
            Cond::any()
                .add(like(col("k", "tag")))
                .add(like(
                    Func::coalesce([col("l", "name"), Expr::val("")]).into(),
                ))
                .add(like(
                    Func::coalesce([col("l", "product_family"), Expr::val("")]).into(),
                )),
        );
    }
    stmt
}

/// The expressions a column sorts by (the alert by the rank of `LicenseAlert::rank`).
fn sort_exprs(sort: LicenseSort, now: DateTime<Utc>) -> Vec<Expr> {
    let purchased = || or_zero(col("s", "purchased"));
    let in_use = || or_zero(col("u", "in_use"));
    let balance = || purchased().sub(in_use());
    match sort {
        LicenseSort::License => {
            vec![Func::lower(Func::coalesce([col("l", "name"), col("k", "tag")])).into()]
        }
        LicenseSort::Family => {
            vec![Func::lower(Func::coalesce([col("l", "product_family"), Expr::val("")])).into()]
        }
        LicenseSort::Purchased => vec![purchased()],
        LicenseSort::InUse => vec![in_use()],
        LicenseSort::Balance => vec![balance()],
        LicenseSort::Expires => vec![col("s", "nearest_expiry")],
        LicenseSort::Alert => vec![Expr::case(balance().lt(0), 0)
            .case(
                col("s", "nearest_expiry").lte(now + Duration::days(EXPIRY_WARNING_DAYS)),
                1,
            )
            .case(
                or_zero(col("s", "lots"))
                    .gt(0)
                    .and(col("s", "expired_lots").equals((Alias::new("s"), Alias::new("lots")))),
                2,
            )
            .finally(3)
            .into()],
    }
}

/// A page of the licenses the pool holds or uses.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    q: LicenseQuery,
    now: DateTime<Utc>,
) -> Result<LicensePage, AppError> {
    crate::services::require(actor, Action::ViewPool(q.pool))?;
    crate::services::pools::find_visible(db, actor, q.pool).await?;
    let count = joined(&q, now)
        .expr_as(Func::count(col("k", "tag")), Alias::new("n"))
        .to_owned();
    let total: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let total = u64::try_from(total).unwrap_or(0);
    let pages = Ord::max(total.div_ceil(PAGE_SIZE), 1);
    let page = q.page.clamp(1, pages);
    let order = if q.dir.is_desc() {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut stmt = joined(&q, now);
    stmt.expr_as(col("k", "tag"), Alias::new("tag"))
        .expr_as(col("l", "id"), Alias::new("license_id"))
        .expr_as(col("l", "name"), Alias::new("name"))
        .expr_as(col("l", "product_family"), Alias::new("product_family"))
        .expr_as(or_zero(col("s", "purchased")), Alias::new("purchased"))
        .expr_as(or_zero(col("u", "in_use")), Alias::new("in_use"))
        .expr_as(col("s", "nearest_expiry"), Alias::new("nearest_expiry"))
        .expr_as(or_zero(col("s", "lots")), Alias::new("lots"))
        .expr_as(
            or_zero(col("s", "expired_lots")),
            Alias::new("expired_lots"),
        );
    if q.sort == LicenseSort::Expires {
        // Licenses with no end (perpetual, or nothing active) sort after every date, either way.
        stmt.order_by_expr(col("s", "nearest_expiry").is_null(), Order::Asc);
    }
    for expr in sort_exprs(q.sort, now) {
        stmt.order_by_expr(expr, order.clone());
    }
    stmt.order_by_expr(col("k", "tag"), Order::Asc)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE);
    let rows = db.query_all(&stmt).await?;
    let mut rows: Vec<LicenseRow> = rows
        .iter()
        .map(|r| to_row(r, now))
        .collect::<Result<_, _>>()?;
    let tags = rows.iter().map(|r| r.tag.clone()).collect();
    let expected = crate::services::forecasts::of_pool(db, q.pool, tags).await?;
    let today = now.date_naive();
    for row in &mut rows {
        // A shortage already here is the row's own mark.
        if row.balance >= 0 {
            row.shortage_expected_in = expected
                .get(&row.tag)
                .map(|on| std::cmp::max((*on - today).num_days(), 1));
        }
    }
    Ok(LicensePage {
        rows,
        total,
        page,
        pages,
    })
}

fn to_row(r: &QueryResult, now: DateTime<Utc>) -> Result<LicenseRow, AppError> {
    let standing = Standing {
        purchased: r.try_get("", "purchased")?,
        in_use: r.try_get("", "in_use")?,
        nearest_expiry: r.try_get("", "nearest_expiry")?,
        lots: r.try_get("", "lots")?,
        expired_lots: r.try_get("", "expired_lots")?,
    };
    Ok(row_of(
        r.try_get("", "license_id")?,
        r.try_get("", "tag")?,
        r.try_get::<Option<String>>("", "name")?,
        r.try_get::<Option<String>>("", "product_family")?,
        standing,
        now,
    ))
}

/// A row of the tab from a license (None when the catalogue lacks the tag) and its standing.
pub(super) fn row_of(
    license_id: Option<i64>,
    tag: String,
    name: Option<String>,
    product_family: Option<String>,
    s: Standing,
    now: DateTime<Utc>,
) -> LicenseRow {
    LicenseRow {
        license_id,
        name: name.unwrap_or_default(),
        product_family: product_family.unwrap_or_default(),
        tag,
        purchased: s.purchased,
        in_use: s.in_use,
        balance: s.balance(),
        transferable: s.transferable(),
        nearest_expiry: s.nearest_expiry,
        alert: s.alert(now),
        shortage_expected_in: None,
    }
}
