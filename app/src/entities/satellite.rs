//! Table `satellites`: on-premises portals registered with this one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellites")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub smart_account_id: i64,
    pub name: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    /// SHA-256 of the one-time registration secret; None once the satellite's key is pinned.
    pub secret_hash: Option<String>,
    /// Base64 of the satellite's ed25519 public key, pinned at its first sync.
    pub public_key: Option<String>,
    /// `network` or `offline`, as its last sync said.
    pub mode: Option<String>,
    pub registered_at: Option<DateTimeUtc>,
    pub last_sync_at: Option<DateTimeUtc>,
    /// The last sync file of the satellite applied (its `seq`).
    pub last_up_seq: i64,
    /// The last response file written to it.
    pub down_seq: i64,
    /// The last of its events taken into the Event Log.
    pub last_event_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
