//! Table `satellite_config` (a satellite's own database only): one row, who the satellite is.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellite_config")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub satellite_id: i64,
    pub name: String,
    pub account_name: String,
    /// The portal's address (network mode); None when air-gapped.
    pub upstream_url: Option<String>,
    pub mode: String,
    /// Base64 of the portal's public key, pinned at `satellite init`.
    pub portal_public_key: String,
    /// The registration secret, until the portal has answered a sync.
    pub secret: Option<String>,
    /// The last sync file written (its `seq`).
    pub up_seq: i64,
    /// The last response file applied.
    pub last_down_seq: i64,
    /// The portal has taken the satellite's events up to this id.
    pub acked_event_id: i64,
    pub sync_interval_secs: i64,
    pub last_sync_at: Option<DateTimeUtc>,
    pub last_sync_error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
