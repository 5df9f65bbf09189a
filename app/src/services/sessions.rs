//! The sessions a user has signed in with (`user_sessions`): started at sign-in, checked on every
//! request, listed on the Account page, ended by Revoke, sign-out, a password change or reset, or the
//! user being disabled or removed. A session whose row is gone ends at its next request, on every
//! portal process.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::entities::user_session;
use crate::error::AppError;
use crate::model::SessionRow;

use super::secrets;

/// How stale `last_seen_at` may get before a request writes it again.
const TOUCH_EVERY_SECS: i64 = 60;

/// Where a sign-in came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub address: String,
    pub user_agent: String,
}

/// Starts a session of `user_id` working in `smart_account_id`; returns its id.
pub async fn start(
    db: &impl ConnectionTrait,
    user_id: i64,
    smart_account_id: Option<i64>,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let id = secrets::random_secret("ses");
    user_session::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user_id),
        smart_account_id: Set(smart_account_id),
        started_at: Set(now),
        last_seen_at: Set(now),
        address: Set(origin.address.chars().take(64).collect()),
        user_agent: Set(origin.user_agent.chars().take(300).collect()),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// The live session `id` of `user_id`, noting that it was seen now (at most once a minute).
pub async fn check(
    db: &impl ConnectionTrait,
    id: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<user_session::Model>, AppError> {
    let Some(found) = user_session::Entity::find_by_id(id.to_owned())
        .filter(user_session::Column::UserId.eq(user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if now - found.last_seen_at > Duration::seconds(TOUCH_EVERY_SECS) {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastSeenAt, Expr::value(now))
            .filter(user_session::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(Some(found))
}

/// Moves a session to another smart account of its user.
pub async fn switch(
    db: &impl ConnectionTrait,
    id: &str,
    smart_account_id: i64,
) -> Result<(), AppError> {
    user_session::Entity::update_many()
        .col_expr(
            user_session::Column::SmartAccountId,
            Expr::value(smart_account_id),
        )
        .filter(user_session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A user's live sessions at `now` (system time), newest first; `current` marks the one asking.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    current: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, AppError> {
    use super::housekeeping::{SESSION_IDLE_SECS, SESSION_MAX_SECS};
    Ok(user_session::Entity::find()
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::LastSeenAt.gte(now - Duration::seconds(SESSION_IDLE_SECS)))
        .filter(user_session::Column::StartedAt.gte(now - Duration::seconds(SESSION_MAX_SECS)))
        .order_by_desc(user_session::Column::StartedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: s.id == current,
            browser: browser(&s.user_agent),
            id: s.id,
            started_at: s.started_at,
            last_seen_at: s.last_seen_at,
            address: s.address,
        })
        .collect())
}

/// Ends one session of `user_id` (another user's id changes nothing: `NotFound`).
pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, id: &str) -> Result<(), AppError> {
    let gone = user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::Id.eq(id))
        .exec(db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session of `user_id`, but `keep` when given; returns how many ended.
pub async fn end_all(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64, AppError> {
    let mut query =
        user_session::Entity::delete_many().filter(user_session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(user_session::Column::Id.ne(keep));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// "Firefox on Linux" from a User-Agent, as far as it says; the raw string's start otherwise.
pub fn browser(agent: &str) -> String {
    let name = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    match (name, system) {
        (Some(n), Some(s)) => format!("{n} on {s}"),
        (Some(n), None) => n.to_owned(),
        _ if agent.is_empty() => "Unknown".to_owned(),
        _ => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named() {
        assert_eq!(
            browser("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(
            browser(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Firefox on Windows"
        );
        assert_eq!(browser(""), "Unknown");
    }
}
