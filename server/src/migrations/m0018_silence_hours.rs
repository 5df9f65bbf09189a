//! How many of each pool's instances go silent in each hour (`silence_hours`: pool, hour since the
//! epoch of `silent_after`, instances), kept by triggers on `product_instances` so that every write
//! moves it (the device writer's contacts, registrations, transfers, removals, satellites' syncs,
//! bulk changes) and the Alerts page and the Overview read a few hundred counters instead of counting
//! a third of a million silent instances. A contact moves an instance only when its `silent_after`
//! crosses into another hour, so most of the writer's updates touch no counter at all.
//!
//! SQLite: row triggers move the counters (one writer at a time, so no two transactions ever wait on
//! each other's counters). PostgreSQL: statement triggers add up a statement's moves per (pool,
//! hour) over its transition tables and append them to `silence_moves`, taking no lock another
//! writer could want (counters updated in place by two device writers, or by the writer and a
//! transfer, would deadlock as their hours cross); the housekeeping sweep folds the moves into
//! `silence_hours` (`services::alerts::fold_silence_moves`), and a read adds both up in one statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The hour of a `silent_after` on SQLite, where it is stored as RFC 3339 text (`…+00:00`).
macro_rules! sqlite_hour {
    ($col:literal) => {
        concat!("(CAST(strftime('%s', ", $col, ") AS INTEGER) / 3600)")
    };
}

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE silence_hours (virtual_account_id INTEGER NOT NULL, hour INTEGER NOT NULL, \
     instances INTEGER NOT NULL, PRIMARY KEY (virtual_account_id, hour)) WITHOUT ROWID",
    // Never written on SQLite (the triggers move the counters themselves): there so that the read
    // is the same statement on both.
    "CREATE TABLE silence_moves (id INTEGER PRIMARY KEY, virtual_account_id INTEGER NOT NULL, \
     hour INTEGER NOT NULL, d INTEGER NOT NULL)",
    concat!(
        "INSERT INTO silence_hours (virtual_account_id, hour, instances) SELECT virtual_account_id, ",
        sqlite_hour!("silent_after"),
        ", COUNT(*) FROM product_instances GROUP BY 1, 2"
    ),
    concat!(
        "CREATE TRIGGER silence_hours_insert AFTER INSERT ON product_instances BEGIN ",
        "INSERT INTO silence_hours (virtual_account_id, hour, instances) VALUES (new.virtual_account_id, ",
        sqlite_hour!("new.silent_after"),
        ", 1) ON CONFLICT (virtual_account_id, hour) DO UPDATE SET instances = instances + 1; END"
    ),
    concat!(
        "CREATE TRIGGER silence_hours_delete AFTER DELETE ON product_instances BEGIN ",
        "UPDATE silence_hours SET instances = instances - 1 WHERE virtual_account_id = old.virtual_account_id AND hour = ",
        sqlite_hour!("old.silent_after"),
        "; DELETE FROM silence_hours WHERE virtual_account_id = old.virtual_account_id AND instances = 0 AND hour = ",
        sqlite_hour!("old.silent_after"),
        "; END"
    ),
    concat!(
        "CREATE TRIGGER silence_hours_update AFTER UPDATE OF silent_after, virtual_account_id ON product_instances ",
        "WHEN old.virtual_account_id IS NOT new.virtual_account_id OR ",
        sqlite_hour!("old.silent_after"),
        " IS NOT ",
        sqlite_hour!("new.silent_after"),
        " BEGIN ",
        "UPDATE silence_hours SET instances = instances - 1 WHERE virtual_account_id = old.virtual_account_id AND hour = ",
        sqlite_hour!("old.silent_after"),
        "; DELETE FROM silence_hours WHERE virtual_account_id = old.virtual_account_id AND instances = 0 AND hour = ",
        sqlite_hour!("old.silent_after"),
        "; INSERT INTO silence_hours (virtual_account_id, hour, instances) VALUES (new.virtual_account_id, ",
        sqlite_hour!("new.silent_after"),
        ", 1) ON CONFLICT (virtual_account_id, hour) DO UPDATE SET instances = instances + 1; END"
    ),
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS silence_hours_update",
    "DROP TRIGGER IF EXISTS silence_hours_delete",
    "DROP TRIGGER IF EXISTS silence_hours_insert",
    "DROP TABLE IF EXISTS silence_moves",
    "DROP TABLE IF EXISTS silence_hours",
];

/// The moves of one statement, added up per (pool, hour) and appended to `silence_moves`: `$moves`
/// is a query of (virtual_account_id, hour, d) rows over the statement's transition tables.
macro_rules! postgres_append {
    ($name:literal, $moves:literal) => {
        concat!(
            "CREATE FUNCTION ",
            $name,
            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ",
            "INSERT INTO silence_moves (virtual_account_id, hour, d) ",
            "SELECT virtual_account_id, hour, SUM(d) FROM (",
            $moves,
            ") m ",
            "GROUP BY virtual_account_id, hour HAVING SUM(d) <> 0; ",
            "RETURN NULL; END $$"
        )
    };
}

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE silence_hours (virtual_account_id BIGINT NOT NULL, hour BIGINT NOT NULL, \
     instances BIGINT NOT NULL, PRIMARY KEY (virtual_account_id, hour))",
    "CREATE TABLE silence_moves (id BIGSERIAL PRIMARY KEY, virtual_account_id BIGINT NOT NULL, \
     hour BIGINT NOT NULL, d BIGINT NOT NULL)",
    "CREATE INDEX ix_silence_moves_pool_hour ON silence_moves (virtual_account_id, hour)",
    "CREATE FUNCTION silence_hour(t timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE \
     AS $$ SELECT floor(extract(epoch FROM t) / 3600)::bigint $$",
    "INSERT INTO silence_hours (virtual_account_id, hour, instances) \
     SELECT virtual_account_id, silence_hour(silent_after), COUNT(*) FROM product_instances GROUP BY 1, 2",
    postgres_append!(
        "silence_hours_inserted",
        "SELECT virtual_account_id, silence_hour(silent_after) AS hour, 1 AS d FROM new_rows"
    ),
    postgres_append!(
        "silence_hours_deleted",
        "SELECT virtual_account_id, silence_hour(silent_after) AS hour, -1 AS d FROM old_rows"
    ),
    postgres_append!(
        "silence_hours_updated",
        "SELECT virtual_account_id, silence_hour(silent_after) AS hour, 1 AS d FROM new_rows \
         UNION ALL SELECT virtual_account_id, silence_hour(silent_after), -1 FROM old_rows"
    ),
    "CREATE TRIGGER silence_hours_insert AFTER INSERT ON product_instances \
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION silence_hours_inserted()",
    "CREATE TRIGGER silence_hours_delete AFTER DELETE ON product_instances \
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION silence_hours_deleted()",
    "CREATE TRIGGER silence_hours_update AFTER UPDATE ON product_instances \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
     EXECUTE FUNCTION silence_hours_updated()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS silence_hours_update ON product_instances",
    "DROP TRIGGER IF EXISTS silence_hours_delete ON product_instances",
    "DROP TRIGGER IF EXISTS silence_hours_insert ON product_instances",
    "DROP FUNCTION IF EXISTS silence_hours_updated()",
    "DROP FUNCTION IF EXISTS silence_hours_deleted()",
    "DROP FUNCTION IF EXISTS silence_hours_inserted()",
    "DROP FUNCTION IF EXISTS silence_hour(timestamptz)",
    "DROP TABLE IF EXISTS silence_moves",
    "DROP TABLE IF EXISTS silence_hours",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => run(m, SQLITE_UP).await,
            DatabaseBackend::Postgres => run(m, POSTGRES_UP).await,
            _ => Ok(()),
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => run(m, SQLITE_DOWN).await,
            DatabaseBackend::Postgres => run(m, POSTGRES_DOWN).await,
            _ => Ok(()),
        }
    }
}
