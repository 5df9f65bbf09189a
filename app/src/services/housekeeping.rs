//! Background work that must run once across portal processes, not once per process: each process
//! ticks, but only the holder of the `housekeeping` lease (a row in `leases`) does the work. A holder
//! renews its lease at every tick; when it stops (crashed, shut down), another process takes the
//! lease over once it has expired.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
    TryInsertResult,
};

use crate::entities::{lease, login_throttle, sign_in_link, tower_session, user_session};
use crate::error::AppError;

/// The lease of the housekeeping sweep.
pub const HOUSEKEEPING: &str = "housekeeping";
/// How long a lease lasts without renewal: longer than the interval between ticks.
pub const LEASE_SECS: i64 = 5 * 60;
/// How often each process ticks.
pub const TICK_SECS: u64 = 60;
/// A session unused this long has ended (the cookie's idle expiry, 30 minutes, plus the minute
/// `last_seen_at` may lag).
pub const SESSION_IDLE_SECS: i64 = 31 * 60;
/// A session this old has ended whatever its use (12 hours).
pub const SESSION_MAX_SECS: i64 = 12 * 60 * 60;
/// Throttle counters are kept while their 15-minute window or lock lasts.
const THROTTLE_WINDOW_SECS: i64 = 15 * 60;

/// Takes or renews the lease `name` for `holder` until `now + ttl`; whether `holder` has it now.
pub async fn acquire(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<bool, AppError> {
    let inserted = lease::Entity::insert(lease::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(now + ttl),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    // Without RETURNING, a conflict reads as zero rows inserted.
    if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(true);
    }
    let taken = lease::Entity::update_many()
        .col_expr(lease::Column::Holder, Expr::value(holder))
        .col_expr(lease::Column::ExpiresAt, Expr::value(now + ttl))
        .filter(lease::Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(lease::Column::Holder.eq(holder))
                .add(lease::Column::ExpiresAt.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub user_sessions: u64,
    pub sign_in_links: u64,
    pub throttles: u64,
    /// Kept answers of the REST API's `Idempotency-Key`s and of one-time forms past their 24 hours.
    pub idempotency_keys: u64,
    /// Days of usage history taken (`snapshots::catch_up`).
    pub snapshot_days: u64,
    /// Shortages forecast, when the day's forecasts were made by this sweep.
    pub forecasts: Option<u64>,
}

/// Removes what has ended by `now`: expired sessions (the cookie store's and the listed ones),
/// expired sign-in links, throttle counters whose window and lock are over; takes the days of
/// usage history not taken yet; and folds the silent instances' moves into their counters.
pub async fn sweep(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<Swept, AppError> {
    let sessions = tower_session::Entity::delete_many()
        .filter(tower_session::Column::ExpiresAt.lte(now.timestamp()))
        .exec(db)
        .await?
        .rows_affected;
    let user_sessions = user_session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(
                    user_session::Column::LastSeenAt.lt(now - Duration::seconds(SESSION_IDLE_SECS)),
                )
                .add(user_session::Column::StartedAt.lt(now - Duration::seconds(SESSION_MAX_SECS))),
        )
        .exec(db)
        .await?
        .rows_affected;
    let sign_in_links = sign_in_link::Entity::delete_many()
        .filter(sign_in_link::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?
        .rows_affected;
    let throttles = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(now.timestamp() - THROTTLE_WINDOW_SECS))
        .filter(
            Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lt(now.timestamp())),
        )
        .exec(db)
        .await?
        .rows_affected;
    let idempotency_keys =
        super::idempotency::sweep(db, now).await? + super::forms::sweep(db, now).await?;
    let snapshot_days = super::snapshots::catch_up(db, now).await?;
    let forecasts = super::forecasts::refresh_daily(db, now).await?;
    super::alerts::fold_silence_moves(db).await?;
    Ok(Swept {
        sessions,
        user_sessions,
        sign_in_links,
        throttles,
        idempotency_keys,
        snapshot_days,
        forecasts,
    })
}

/// One tick of a process: the sweep when `holder` has (or takes) the lease, else nothing.
pub async fn tick(
    db: &(impl ConnectionTrait + TransactionTrait),
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Option<Swept>, AppError> {
    if !acquire(db, HOUSEKEEPING, holder, now, Duration::seconds(LEASE_SECS)).await? {
        return Ok(None);
    }
    Ok(Some(sweep(db, now).await?))
}
