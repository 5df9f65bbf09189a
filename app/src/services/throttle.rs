//! Failed sign-in counters, kept in the database so that every portal process shares them.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};

use crate::domain::throttle::{ThrottlePolicy, ThrottleState};
use crate::entities::login_throttle;
use crate::error::AppError;

/// The throttle key of an account.
pub fn account_key(username: &str) -> String {
    format!("user:{username}")
}

/// The throttle key of a client address.
pub fn address_key(addr: &str) -> String {
    format!("addr:{addr}")
}

async fn state(db: &impl ConnectionTrait, key: &str) -> Result<ThrottleState, AppError> {
    Ok(login_throttle::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|m| ThrottleState {
            failures: m.failures,
            window_started_at: m.window_started_at,
            locked_until: m.locked_until,
        })
        .unwrap_or_default())
}

/// Reserves one attempt against every key, atomically: in one transaction each key's row is locked
/// (a no-op upsert first, which takes the row lock on PostgreSQL and the write lock on SQLite), its
/// state read, and either the attempt refused with `Throttled` (nothing written) or counted as a
/// failure before any password is verified. A right password then gives the attempt back (`clear`,
/// `refund`). So a burst of concurrent wrong passwords evaluates at most the policy's limit.
pub async fn reserve(
    db: &(impl ConnectionTrait + TransactionTrait),
    keys: &[(&str, ThrottlePolicy)],
    now: i64,
) -> Result<(), AppError> {
    let txn = crate::services::begin_writing(db).await?;
    let mut states = Vec::with_capacity(keys.len());
    for (key, _) in keys {
        lock_row(&txn, key).await?;
        states.push(state(&txn, key).await?);
    }
    let wait = states.iter().filter_map(|s| s.retry_after(now)).max();
    if let Some(retry_after_secs) = wait {
        txn.commit().await?;
        return Err(AppError::Throttled { retry_after_secs });
    }
    for ((key, policy), current) in keys.iter().zip(states) {
        write(&txn, key, current.after_failure(*policy, now)).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Takes the row of `key` for this transaction, creating an empty one if there is none.
async fn lock_row(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_started_at: Set(0),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .value(
                login_throttle::Column::Failures,
                Expr::col((login_throttle::Entity, login_throttle::Column::Failures)),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn write(db: &impl ConnectionTrait, key: &str, next: ThrottleState) -> Result<(), AppError> {
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(next.failures))
        .col_expr(
            login_throttle::Column::WindowStartedAt,
            Expr::value(next.window_started_at),
        )
        .col_expr(
            login_throttle::Column::LockedUntil,
            Expr::value(next.locked_until),
        )
        .filter(login_throttle::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back one reserved attempt of `key` (a right password): one failure fewer, and no lock if
/// that leaves it under the limit.
pub async fn refund(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &str,
    policy: ThrottlePolicy,
    now: i64,
) -> Result<(), AppError> {
    let txn = crate::services::begin_writing(db).await?;
    lock_row(&txn, key).await?;
    let current = state(&txn, key).await?;
    write(&txn, key, current.refunded(policy, now)).await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}
