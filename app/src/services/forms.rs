//! One-time form ids: every state-changing form of the pages carries a fresh `form_id` (made while the
//! page renders, renewed after each submission the page sees through). The first submission of an id
//! claims it in the transaction of its change and keeps its answer there; a repeat (a double click
//! that got through, a retry after a timeout, a back-button resubmit) waits for the first to end and
//! gets its answer, changing nothing. A failed submission keeps nothing: it may be sent again.
//! `api::once!` wires a server function to this.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::form_submission as fs;
use crate::error::AppError;

/// How long an answer is kept for repeats.
pub const KEEP: Duration = Duration::hours(24);

/// The field every one-time form posts its id in.
pub const FIELD: &str = "form_id";

/// What claiming a form id found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The first submission: go on, then `record` its answer in the same transaction.
    New,
    /// A repeat: the first submission's answer (JSON).
    Repeat(String),
}

/// A form id as pages make them: 8 to 64 letters, digits, `-` and `.`.
pub fn valid(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Claims `form_id` of `user` for `endpoint` inside the caller's write transaction.
pub async fn claim(
    db: &impl ConnectionTrait,
    user: i64,
    endpoint: &str,
    form_id: &str,
    now: DateTime<Utc>,
) -> Result<Claim, AppError> {
    if !valid(form_id) {
        return Err(AppError::validation(
            FIELD,
            "This form is damaged; reload the page and try again.",
        ));
    }
    fs::Entity::delete_many()
        .filter(fs::Column::UserId.eq(user))
        .filter(fs::Column::FormId.eq(form_id))
        .filter(fs::Column::CreatedAt.lt(now - KEEP))
        .exec(db)
        .await?;
    let inserted = fs::Entity::insert(fs::ActiveModel {
        user_id: Set(user),
        form_id: Set(form_id.to_owned()),
        endpoint: Set(endpoint.to_owned()),
        answer: Set(String::new()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([fs::Column::UserId, fs::Column::FormId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        return Ok(Claim::New);
    }
    let kept = fs::Entity::find_by_id((user, form_id.to_owned()))
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    if kept.endpoint != endpoint {
        return Err(AppError::validation(
            FIELD,
            "This form was already sent to another place; reload the page and try again.",
        ));
    }
    Ok(Claim::Repeat(kept.answer))
}

/// Keeps the answer of a claimed form id (in the transaction of the claim and the change).
pub async fn record<T: serde::Serialize>(
    db: &impl ConnectionTrait,
    user: i64,
    form_id: &str,
    answer: &T,
) -> Result<(), AppError> {
    let answer = serde_json::to_string(answer)
        .map_err(|e| crate::error::internal("keeping a form's answer failed", &e))?;
    fs::Entity::update_many()
        .col_expr(fs::Column::Answer, Expr::value(answer))
        .filter(fs::Column::UserId.eq(user))
        .filter(fs::Column::FormId.eq(form_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The first answer again, as the server function's result type.
pub fn repeat<T: serde::de::DeserializeOwned>(answer: &str) -> Result<T, AppError> {
    serde_json::from_str(answer)
        .map_err(|e| crate::error::internal("reading a form's kept answer failed", &e))
}

/// Forgets answers older than a day (the housekeeping sweep).
pub async fn sweep(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(fs::Entity::delete_many()
        .filter(fs::Column::CreatedAt.lt(now - KEEP))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn form_ids_are_short_plain_words() {
        assert!(valid("k3J9x0aQ.2"));
        assert!(valid(&"a".repeat(64)));
        assert!(!valid("short"));
        assert!(!valid(&"a".repeat(65)));
        assert!(!valid("with space ok"));
        assert!(!valid("naïve-form-id"));
    }
}
