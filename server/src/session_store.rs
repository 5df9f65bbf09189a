//! Sessions kept in the database (table `tower_sessions`), so they survive a restart and are shared by
//! every portal process.

use app::entities::tower_session::{self, Column, Entity};
use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TryInsertResult};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// A tower-sessions store over sea-orm.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn row(record: &Record) -> session_store::Result<tower_session::ActiveModel> {
    Ok(tower_session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?),
        expires_at: Set(record.expiry_date.unix_timestamp()),
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = Entity::insert(row(record)?)
                .on_conflict_do_nothing()
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            // Without RETURNING a conflict reads as zero rows inserted: draw another id.
            match inserted {
                TryInsertResult::Inserted(n) if n > 0 => return Ok(()),
                TryInsertResult::Conflicted | TryInsertResult::Inserted(_) => {
                    record.id = Id::default()
                }
                TryInsertResult::Empty => return Ok(()),
            }
        }
    }

    /// Updates an existing session only: a request that started before sign-out must not bring the
    /// deleted session back when it saves at its end (new sessions go through `create`).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = row(record)?;
        Entity::update_many()
            .set(row)
            .filter(Column::Id.eq(record.id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(found) = Entity::find_by_id(id.to_string())
            .filter(Column::ExpiresAt.gt(now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&found.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(found.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        Entity::delete_many()
            .filter(Column::ExpiresAt.lte(now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
