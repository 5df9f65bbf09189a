//! The Alerts page's grouped queries, one per kind of trouble, each a fixed number of statements
//! whatever the size of the estate.

use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
    UnionType,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

use crate::domain::alerts;
use crate::domain::licenses::sql::lot_state;
use crate::domain::licenses::{LotState, EXPIRY_WARNING_DAYS};
use crate::domain::tokens::sql::token_state;
use crate::domain::tokens::TokenState;
use crate::entities::{
    license, license_lot, pool_usage, product_instance as pi, token, virtual_account,
};
use crate::error::AppError;

pub(super) fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

pub(super) fn bigint() -> Alias {
    Alias::new("BIGINT")
}

/// A lot counts at `now` (`LotState::at`'s mirror), on the alias `ll`.
fn lot_active(now: DateTime<Utc>) -> Cond {
    lot_state(LotState::Active, Alias::new("ll"), now)
}

/// Tags each pool uses more of than its active lots hold: pool, tag, in use, active, and the
/// catalogue's id and name (NULL for a tag it lacks). One row per short (pool, tag).
pub(crate) fn shortages(ids: &[i64], now: DateTime<Utc>) -> SelectStatement {
    let active = Query::select()
        .expr_as(
            col("ll", "virtual_account_id"),
            Alias::new("virtual_account_id"),
        )
        .expr_as(col("ll", "license_id"), Alias::new("license_id"))
        .expr_as(
            col("ll", "quantity").sum().cast_as(bigint()),
            Alias::new("active"),
        )
        .from_as(license_lot::Entity, Alias::new("ll"))
        .and_where(col("ll", "virtual_account_id").is_in(ids.to_vec()))
        .cond_where(lot_active(now))
        .group_by_col((Alias::new("ll"), Alias::new("virtual_account_id")))
        .group_by_col((Alias::new("ll"), Alias::new("license_id")))
        .to_owned();
    let active_or_zero =
        || -> Expr { Func::coalesce([col("a", "active"), Expr::val(0i64)]).into() };
    Query::select()
        .from_as(pool_usage::Entity, Alias::new("u"))
        .join_as(
            JoinType::LeftJoin,
            license::Entity,
            Alias::new("l"),
            col("l", "tag").equals((Alias::new("u"), Alias::new("tag"))),
        )
        .join_subquery(
            JoinType::LeftJoin,
            active,
            Alias::new("a"),
            Cond::all()
                .add(
                    col("a", "virtual_account_id")
                        .equals((Alias::new("u"), Alias::new("virtual_account_id"))),
                )
                .add(col("a", "license_id").equals((Alias::new("l"), Alias::new("id")))),
        )
        .and_where(col("u", "virtual_account_id").is_in(ids.to_vec()))
        .and_where(col("u", "in_use").gt(active_or_zero()))
        .expr_as(col("u", "virtual_account_id"), Alias::new("pool"))
        .expr_as(col("u", "tag"), Alias::new("tag"))
        .expr_as(col("u", "in_use"), Alias::new("in_use"))
        .expr_as(active_or_zero(), Alias::new("active"))
        .expr_as(col("l", "id"), Alias::new("license_id"))
        .expr_as(col("l", "name"), Alias::new("name"))
        .to_owned()
}

/// Per (pool, license) with an alert: the nearest end of an active term lot when it is within
/// `EXPIRY_WARNING_DAYS`, or, when every lot has ended, the last end.
pub(super) fn lot_standings(ids: &[i64], now: DateTime<Utc>) -> SelectStatement {
    let ends = || col("ll", "ends_at");
    let ended = || lot_state(LotState::Expired, Alias::new("ll"), now);
    let nearest = || Expr::case(lot_active(now).add(ends().is_not_null()), ends()).min();
    let expired_lots = || Expr::case(ended(), 1).finally(0).sum().cast_as(bigint());
    let lots = || col("ll", "id").count().cast_as(bigint());
    Query::select()
        .expr_as(col("ll", "virtual_account_id"), Alias::new("pool"))
        .expr_as(col("l", "id"), Alias::new("license_id"))
        .expr_as(col("l", "tag"), Alias::new("tag"))
        .expr_as(col("l", "name"), Alias::new("name"))
        .expr_as(nearest(), Alias::new("nearest_expiry"))
        .expr_as(ends().max(), Alias::new("last_end"))
        .expr_as(lots(), Alias::new("lots"))
        .expr_as(expired_lots(), Alias::new("expired_lots"))
        .from_as(license_lot::Entity, Alias::new("ll"))
        .join_as(
            JoinType::InnerJoin,
            license::Entity,
            Alias::new("l"),
            col("l", "id").equals((Alias::new("ll"), Alias::new("license_id"))),
        )
        .and_where(col("ll", "virtual_account_id").is_in(ids.to_vec()))
        .group_by_col((Alias::new("ll"), Alias::new("virtual_account_id")))
        .group_by_col((Alias::new("l"), Alias::new("id")))
        .group_by_col((Alias::new("l"), Alias::new("tag")))
        .group_by_col((Alias::new("l"), Alias::new("name")))
        .cond_having(
            Cond::any()
                .add(nearest().lte(now + Duration::days(EXPIRY_WARNING_DAYS)))
                .add(lots().eq(expired_lots())),
        )
        .to_owned()
}

/// The pools' instances silent at `now` (past their grace), as rows of `groups`: pool, how many, the
/// moment the longest-silent went silent and its id. The count reads the `silence_hours` counters
/// the database's triggers keep (migration 0018) for every hour before `now`'s, and counts only
/// `now`'s own hour in the index on (pool, silent after, id); the longest-silent is that index's first
/// entry per pool. So it costs the same at a million silent instances as at ten.
pub(super) async fn silent_groups(
    db: &impl ConnectionTrait,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64, DateTime<Utc>, i64)>, AppError> {
    let hour = now.timestamp().div_euclid(3600);
    let hour_start = DateTime::from_timestamp(hour * 3600, 0).unwrap_or(now);
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    // The counters and the moves not folded into them yet, in one statement (one snapshot: a fold
    // committing between two reads would count its moves twice or not at all).
    let part = |table: &str, n: &str| {
        Query::select()
            .expr_as(col("h", "virtual_account_id"), Alias::new("pool"))
            .expr_as(col("h", n), Alias::new("n"))
            .from_as(Alias::new(table), Alias::new("h"))
            .and_where(col("h", "virtual_account_id").is_in(ids.to_vec()))
            .and_where(col("h", "hour").lt(hour))
            .to_owned()
    };
    let earlier = Query::select()
        .expr_as(col("c", "pool"), Alias::new("pool"))
        .expr_as(col("c", "n").sum().cast_as(bigint()), Alias::new("n"))
        .from_subquery(
            part("silence_hours", "instances")
                .union(UnionType::All, part("silence_moves", "d"))
                .to_owned(),
            Alias::new("c"),
        )
        .group_by_col((Alias::new("c"), Alias::new("pool")))
        .to_owned();
    let this_hour = Condition::all()
        .add(pi::Column::SilentAfter.gte(hour_start))
        .add(silent_condition(now));
    for stmt in [earlier, grouped(ids, pi::Column::SilentAfter, this_hour)] {
        for r in db.query_all(&stmt).await? {
            let n: Option<i64> = r.try_get("", "n")?;
            *counts.entry(r.try_get("", "pool")?).or_default() += n.unwrap_or(0);
        }
    }
    counts.retain(|_, n| *n > 0);
    if counts.is_empty() {
        return Ok(Vec::new());
    }
    let longest = Query::select()
        .expr(Expr::col((pi::Entity, pi::Column::Id)))
        .from(pi::Entity)
        .and_where(
            Expr::col((pi::Entity, pi::Column::VirtualAccountId))
                .equals((virtual_account::Entity, virtual_account::Column::Id)),
        )
        .and_where(Expr::col((pi::Entity, pi::Column::SilentAfter)).lt(now))
        .order_by((pi::Entity, pi::Column::SilentAfter), Order::Asc)
        .order_by((pi::Entity, pi::Column::Id), Order::Asc)
        .limit(1)
        .to_owned();
    let firsts = Query::select()
        .expr_as(
            Expr::col((virtual_account::Entity, virtual_account::Column::Id)),
            Alias::new("pool"),
        )
        .expr_as(longest, Alias::new("first_id"))
        .from(virtual_account::Entity)
        .and_where(
            Expr::col((virtual_account::Entity, virtual_account::Column::Id))
                .is_in(counts.keys().copied()),
        )
        .to_owned();
    let mut first_of: Vec<(i64, i64)> = Vec::with_capacity(counts.len());
    for r in db.query_all(&firsts).await? {
        let first: Option<i64> = r.try_get("", "first_id")?;
        if let Some(first) = first {
            first_of.push((r.try_get("", "pool")?, first));
        }
    }
    let since: HashMap<i64, DateTime<Utc>> = pi::Entity::find()
        .select_only()
        .column(pi::Column::Id)
        .column(pi::Column::SilentAfter)
        .filter(pi::Column::Id.is_in(first_of.iter().map(|(_, id)| *id)))
        .into_tuple::<(i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(first_of
        .into_iter()
        .filter_map(|(pool, id)| Some((pool, counts[&pool], *since.get(&id)?, id)))
        .collect())
}

pub(super) fn silent_condition(now: DateTime<Utc>) -> Condition {
    Condition::all().add(pi::Column::SilentAfter.lt(now))
}

/// The pools' instances whose authorization has ended and that are not silent (their status is
/// "Authorization Expired"): pool, how many, the first end and the lowest id. Found through the index
/// on (pool, authorization end, last contact, id).
pub(super) fn unrenewed(ids: &[i64], now: DateTime<Utc>) -> SelectStatement {
    grouped(ids, pi::Column::AuthExpiresAt, unrenewed_condition(now))
}

pub(super) fn unrenewed_condition(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(pi::Column::AuthExpiresAt.lte(now))
        .add(pi::Column::SilentAfter.gte(now))
}

/// How many of the pools have at least one instance matching `condition`: the number of rows
/// `grouped` would return, found with one index probe per pool (`EXISTS`) instead of counting every
/// matching instance, so the navigation's badge costs the same at a million instances as at ten.
pub(super) async fn pools_with(
    db: &impl ConnectionTrait,
    ids: &[i64],
    condition: Condition,
) -> Result<u64, AppError> {
    let any = Query::select()
        .expr(Expr::val(1))
        .from(pi::Entity)
        .and_where(
            Expr::col((pi::Entity, pi::Column::VirtualAccountId))
                .equals((virtual_account::Entity, virtual_account::Column::Id)),
        )
        .cond_where(condition)
        .limit(1)
        .to_owned();
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(virtual_account::Entity)
        .and_where(
            Expr::col((virtual_account::Entity, virtual_account::Column::Id)).is_in(ids.to_vec()),
        )
        .and_where(Expr::exists(any))
        .to_owned();
    let n: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn grouped(ids: &[i64], earliest: pi::Column, condition: Condition) -> SelectStatement {
    pi::Entity::find()
        .select_only()
        .column_as(pi::Column::VirtualAccountId, "pool")
        .column_as(Expr::col(pi::Column::Id).count().cast_as(bigint()), "n")
        .column_as(Expr::col(earliest).min(), "earliest")
        .column_as(Expr::col(pi::Column::Id).min(), "first_id")
        .filter(pi::Column::VirtualAccountId.is_in(ids.to_vec()))
        .filter(condition)
        .group_by(pi::Column::VirtualAccountId)
        .into_query()
}

/// Folds the moves PostgreSQL's triggers appended to `silence_moves` into the `silence_hours`
/// counters, in one statement (the moves leave as their sums arrive, in one snapshot), then drops
/// emptied counters; nothing to do on SQLite, whose triggers move the counters themselves. Only the
/// housekeeping lease's holder folds, so the counters have one writer. The number of moves folded.
pub(crate) async fn fold_silence_moves(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return Ok(0);
    }
    let folded = db
        .execute_unprepared(
            "WITH moved AS (DELETE FROM silence_moves RETURNING virtual_account_id, hour, d), \
             net AS (SELECT virtual_account_id, hour, SUM(d) AS d FROM moved GROUP BY 1, 2) \
             INSERT INTO silence_hours AS s (virtual_account_id, hour, instances) \
             SELECT virtual_account_id, hour, d FROM net WHERE d <> 0 ORDER BY 1, 2 \
             ON CONFLICT (virtual_account_id, hour) DO UPDATE SET instances = s.instances + EXCLUDED.instances",
        )
        .await?
        .rows_affected();
    db.execute_unprepared("DELETE FROM silence_hours WHERE instances = 0")
        .await?;
    Ok(folded)
}

/// The pools' active tokens (not revoked, not used up) ending within `TOKEN_NOTICE_DAYS`.
pub(super) fn expiring_tokens(ids: &[i64], now: DateTime<Utc>) -> sea_orm::Select<token::Entity> {
    token::Entity::find()
        .filter(token::Column::VirtualAccountId.is_in(ids.to_vec()))
        .filter(token_state(TokenState::Active, now))
        .filter(token::Column::ExpiresAt.lte(now + Duration::days(alerts::TOKEN_NOTICE_DAYS)))
}

/// The number of rows `stmt` returns.
pub(super) async fn count_rows(
    db: &impl ConnectionTrait,
    stmt: SelectStatement,
) -> Result<u64, AppError> {
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from_subquery(stmt, Alias::new("g"))
        .to_owned();
    let n: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
