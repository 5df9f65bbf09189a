//! `Idempotency-Key` on the REST API's POSTs: the first answer to a key is kept 24 hours, written in
//! the same transaction as the change it answers (so that the two commit together, once), and
//! replayed to a retry with the same request; the same key with another request is refused.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::idempotency_key as ik;
use crate::error::AppError;

/// How long an answer is kept for replays.
pub const KEEP: Duration = Duration::hours(24);

/// What a key's claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The first request with this key: go on, then `record` the answer in the same transaction.
    New,
    /// A retry of the same request: its first answer.
    Replay { status: u16, body: String },
    /// The key was used with another request.
    Mismatch,
}

/// The header's value, as clients may send it: 1 to 255 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Claims `key` for the API key `api_key` and the request hashed as `request_hash`, inside the
/// caller's transaction. On PostgreSQL a concurrent claim of the same key waits here for the first
/// one's transaction to end, and then replays its answer.
pub async fn claim(
    db: &impl ConnectionTrait,
    api_key: i64,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Claim, AppError> {
    // An answer past its 24 hours is forgotten: the key is new again.
    ik::Entity::delete_many()
        .filter(ik::Column::ApiKeyId.eq(api_key))
        .filter(ik::Column::Key.eq(key))
        .filter(ik::Column::CreatedAt.lt(now - KEEP))
        .exec(db)
        .await?;
    let inserted = ik::Entity::insert(ik::ActiveModel {
        api_key_id: Set(api_key),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(0),
        body: Set(String::new()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([ik::Column::ApiKeyId, ik::Column::Key])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // A conflict that did nothing inserted no row.
    if inserted > 0 {
        return Ok(Claim::New);
    }
    let kept = ik::Entity::find_by_id((api_key, key.to_owned()))
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    if kept.request_hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    Ok(Claim::Replay {
        status: u16::try_from(kept.status).unwrap_or(500),
        body: kept.body,
    })
}

/// Keeps the answer of a claimed key (in the transaction of the claim and the change).
pub async fn record(
    db: &impl ConnectionTrait,
    api_key: i64,
    key: &str,
    status: u16,
    body: String,
) -> Result<(), AppError> {
    ik::Entity::update_many()
        .col_expr(ik::Column::Status, Expr::value(i32::from(status)))
        .col_expr(ik::Column::Body, Expr::value(body))
        .filter(ik::Column::ApiKeyId.eq(api_key))
        .filter(ik::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets answers older than 24 hours (the housekeeping sweep).
pub async fn sweep(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(ik::Entity::delete_many()
        .filter(ik::Column::CreatedAt.lt(now - KEEP))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn keys_are_visible_ascii_of_reasonable_length() {
        assert!(valid_key("move-10-licenses-2026-12-04"));
        assert!(valid_key(&"k".repeat(255)));
        assert!(!valid_key(""));
        assert!(!valid_key(&"k".repeat(256)));
        assert!(!valid_key("with space"));
        assert!(!valid_key("naïve"));
    }
}
