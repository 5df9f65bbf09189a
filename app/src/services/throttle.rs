//! Failed sign-in counters, kept in the database so that every portal process shares them.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

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

/// Refuses with `Throttled` when any of the keys is locked at `now` (unix seconds).
pub async fn check(db: &impl ConnectionTrait, keys: &[&str], now: i64) -> Result<(), AppError> {
    let mut wait = None;
    for key in keys {
        if let Some(secs) = state(db, key).await?.retry_after(now) {
            wait = Some(wait.map_or(secs, |w: i64| w.max(secs)));
        }
    }
    match wait {
        Some(retry_after_secs) => Err(AppError::Throttled { retry_after_secs }),
        None => Ok(()),
    }
}

/// Counts one failure against `key`.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &str,
    policy: ThrottlePolicy,
    now: i64,
) -> Result<(), AppError> {
    let next = state(db, key).await?.after_failure(policy, now);
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(next.failures),
        window_started_at: Set(next.window_started_at),
        locked_until: Set(next.locked_until),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .update_columns([
                login_throttle::Column::Failures,
                login_throttle::Column::WindowStartedAt,
                login_throttle::Column::LockedUntil,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await?;
    Ok(())
}
