//! Services: the operations of the portal over the database. Server-only. Each takes a connection (or a
//! transaction) and the acting user, checks the role through `Actor::decide`, and writes its event in the
//! same transaction as its change.

pub mod access;
pub mod actors;
pub mod alerts;
pub mod api_keys;
pub mod auth;
pub mod catalogue;
pub mod devices;
pub mod events;
pub mod export_progress;
pub mod forecasts;
pub mod forms;
pub mod housekeeping;
pub mod idempotency;
pub mod instances;
pub mod licenses;
pub mod overview;
pub mod own_account;
pub mod pools;
pub mod reports;
pub mod satellites;
pub mod secrets;
pub mod sessions;
pub mod sign_in;
pub mod sign_in_links;
pub mod signing;
pub mod snapshots;
pub mod throttle;
pub mod token_devices;
pub mod tokens;
pub mod traditional;
pub mod two_factor;
pub mod usage;
pub mod users;

use crate::domain::roles::{Action, Actor, Decision};
use crate::error::AppError;

/// Turns the role decision into the error a caller returns.
pub fn require(actor: &Actor, action: Action) -> Result<(), AppError> {
    match actor.decide(action) {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(AppError::Forbidden),
        Decision::NotFound => Err(AppError::NotFound),
    }
}

/// Begins a transaction that writes after it reads. SQLite's takes the write lock at its start
/// (`BEGIN IMMEDIATE`), so that it never has to upgrade a read to a write (which fails when another
/// writer got there first); concurrent ones wait on each other instead.
pub async fn begin_writing<C>(db: &C) -> Result<C::Transaction, sea_orm::DbErr>
where
    C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait,
{
    let mut options = sea_orm::TransactionOptions::default();
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        options.sqlite_transaction_mode = Some(sea_orm::SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
}

/// Whether a database error is a unique-constraint violation (mapped by kind, never by text).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
