//! How far an export has got, by an id the Reports page picks, so that the page can say so while the
//! browser waits for the file. Kept in the database (`export_jobs`): the page may poll any portal
//! process, and only the user who started the export reads its progress (another user's id reads as
//! unknown).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entities::export_job;
use crate::error::AppError;
use crate::model::ExportProgress;

/// How long a finished or abandoned export's progress is kept.
const KEEP_MINUTES: i64 = 10;

/// An id a page may use: 8 to 64 letters, digits or `-`.
pub fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// One export's progress, as the export writes it.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub user_id: i64,
}

/// Starts tracking an export of `total` rows for `user_id` (forgetting progress older than 10
/// minutes). An id another user holds is left alone: that export then goes untracked.
pub async fn start(
    db: &impl ConnectionTrait,
    job: &Job,
    total: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    export_job::Entity::delete_many()
        .filter(export_job::Column::UpdatedAt.lt(now - Duration::minutes(KEEP_MINUTES)))
        .exec(db)
        .await?;
    export_job::Entity::delete_many()
        .filter(export_job::Column::Id.eq(job.id.as_str()))
        .filter(export_job::Column::UserId.eq(job.user_id))
        .exec(db)
        .await?;
    export_job::Entity::insert(export_job::ActiveModel {
        id: Set(job.id.clone()),
        user_id: Set(job.user_id),
        rows: Set(0),
        total: Set(i64::try_from(total).unwrap_or(i64::MAX)),
        done: Set(false),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn set(
    db: &impl ConnectionTrait,
    job: &Job,
    column: export_job::Column,
    value: sea_orm::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    export_job::Entity::update_many()
        .col_expr(column, Expr::value(value))
        .col_expr(export_job::Column::UpdatedAt, Expr::value(now))
        .filter(export_job::Column::Id.eq(job.id.as_str()))
        .filter(export_job::Column::UserId.eq(job.user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records `rows` written so far.
pub async fn update(
    db: &impl ConnectionTrait,
    job: &Job,
    rows: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    set(db, job, export_job::Column::Rows, rows.into(), now).await
}

/// Marks the export finished (the file is being sent, or the export failed).
pub async fn finish(
    db: &impl ConnectionTrait,
    job: &Job,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    set(db, job, export_job::Column::Done, true.into(), now).await
}

/// The progress of `user_id`'s export `id`, if it is being tracked.
pub async fn get(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: &str,
) -> Result<Option<ExportProgress>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    Ok(export_job::Entity::find_by_id(id.to_owned())
        .filter(export_job::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .map(|j| ExportProgress {
            rows: u64::try_from(j.rows).unwrap_or(0),
            total: u64::try_from(j.total).unwrap_or(0),
            done: j.done,
        }))
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn ids_are_short_plain_words() {
        assert!(!valid_id("short"));
        assert!(!valid_id("has space in it"));
        assert!(valid_id("0123456789abcdef-x"));
        assert!(!valid_id(&"x".repeat(65)));
    }
}
