//! The database: SQLite in the data folder by default, PostgreSQL by URL. Migrations run at connect.

use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::SqliteJournalMode;
pub use sea_orm::sqlx::sqlite::SqliteSynchronous;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

use crate::migrations::Migrator;

/// Connects to `url` and brings the schema up to date. SQLite runs in WAL mode with a busy timeout,
/// so that readers never wait for the writer and writers queue instead of failing, and with
/// `synchronous=FULL`: every acknowledged write is on disk (the device writer commits in batches,
/// so the fsync per commit costs little).
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url, SqliteSynchronous::Full).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    Ok(db)
}

/// Connects to `url` with the portal's settings, SQLite syncing as `synchronous` says (the ceiling
/// benchmark measures both FULL and NORMAL).
pub async fn connect(
    url: &str,
    synchronous: SqliteSynchronous,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.max_connections(8).map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    } else {
        options.max_connections(20);
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database {}", redact(url)))
}

/// The URL without its password, for logs.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only a URL that cannot carry a password refuses one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("sqlite:data/portal.db?mode=rwc"),
            "sqlite:data/portal.db?mode=rwc"
        );
    }
}
