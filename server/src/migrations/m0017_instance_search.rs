//! Search of product instances anywhere in hostname, serial, PID and product, case-insensitively,
//! by an index at a million rows: on SQLite an FTS5 table with the trigram tokenizer over
//! `product_instances` (external content, kept by triggers), on PostgreSQL a `pg_trgm` GIN index on
//! the four columns joined (the search's own expression, `services::instances::list::search_condition`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE product_instance_search USING fts5(hostname, sn, pid, product, \
     content='product_instances', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER product_instance_search_insert AFTER INSERT ON product_instances BEGIN \
     INSERT INTO product_instance_search(rowid, hostname, sn, pid, product) \
     VALUES (new.id, new.hostname, new.sn, new.pid, new.product); END",
    "CREATE TRIGGER product_instance_search_delete AFTER DELETE ON product_instances BEGIN \
     INSERT INTO product_instance_search(product_instance_search, rowid, hostname, sn, pid, product) \
     VALUES ('delete', old.id, old.hostname, old.sn, old.pid, old.product); END",
    "CREATE TRIGGER product_instance_search_update AFTER UPDATE OF hostname, sn, pid, product \
     ON product_instances WHEN old.hostname IS NOT new.hostname OR old.sn IS NOT new.sn \
     OR old.pid IS NOT new.pid OR old.product IS NOT new.product BEGIN \
     INSERT INTO product_instance_search(product_instance_search, rowid, hostname, sn, pid, product) \
     VALUES ('delete', old.id, old.hostname, old.sn, old.pid, old.product); \
     INSERT INTO product_instance_search(rowid, hostname, sn, pid, product) \
     VALUES (new.id, new.hostname, new.sn, new.pid, new.product); END",
    "INSERT INTO product_instance_search(product_instance_search) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS product_instance_search_update",
    "DROP TRIGGER IF EXISTS product_instance_search_delete",
    "DROP TRIGGER IF EXISTS product_instance_search_insert",
    "DROP TABLE IF EXISTS product_instance_search",
];

/// The expression the PostgreSQL index covers; the search names it the same way.
const POSTGRES_SEARCH_TEXT: &str =
    "(hostname || E'\\n' || sn || E'\\n' || pid || E'\\n' || product)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for sql in SQLITE_UP {
                    db.execute_unprepared(sql).await?;
                }
            }
            DatabaseBackend::Postgres => {
                // pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
                // Where the server lacks it, the search still works (a scan), only slower.
                let available = db
                    .query_one_raw(Statement::from_string(
                        DatabaseBackend::Postgres,
                        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'",
                    ))
                    .await?
                    .is_some();
                if available {
                    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                        .await?;
                    db.execute_unprepared(&format!(
                        "CREATE INDEX IF NOT EXISTS ix_product_instances_search ON product_instances \
                         USING gin ({POSTGRES_SEARCH_TEXT} gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for sql in SQLITE_DOWN {
                    db.execute_unprepared(sql).await?;
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_product_instances_search")
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}
