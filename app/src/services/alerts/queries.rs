//! The Alerts page's grouped queries, one per kind of trouble, each a fixed number of statements
//! whatever the size of the estate.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Cond, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
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

/// The pools' instances silent for longer than the grace: pool, how many, the oldest contact and the
/// lowest id. Found through the index on (pool, last contact, id).
pub(super) fn silent(ids: &[i64], now: DateTime<Utc>) -> SelectStatement {
    grouped(ids, pi::Column::SilentAfter, silent_condition(now))
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
