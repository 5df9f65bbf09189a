//! Table `product_instances`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_instances")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub virtual_account_id: i64,
    pub pid: String,
    pub sn: String,
    pub hostname: String,
    pub product: String,
    pub software_version: Option<String>,
    /// SHA-256 of the device credential, hex.
    #[sea_orm(unique)]
    pub credential_hash: String,
    pub token_id: Option<i64>,
    pub registered_at: DateTimeUtc,
    pub last_contact_at: DateTimeUtc,
    pub id_cert_serial: String,
    pub id_cert_expires_at: DateTimeUtc,
    pub auth_expires_at: Option<DateTimeUtc>,
    /// The satellite it registered through (None: it talks to the portal itself).
    pub satellite_id: Option<i64>,
    /// Its id on that satellite.
    pub satellite_instance_id: Option<i64>,
    /// When it counts as "Failed to Connect": 48 hours after its last contact, or, behind a
    /// satellite, 90 days after the satellite's last synchronisation (`domain::alerts::silent_after`).
    pub silent_after: DateTimeUtc,
    /// The address its registration came from, as the portal saw it (None: before m0015, or through
    /// a satellite).
    pub registered_from: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Its unique device identifier (product ID and serial number).
    pub fn udi(&self) -> crate::protocol::Udi {
        crate::protocol::Udi {
            pid: self.pid.clone(),
            sn: self.sn.clone(),
        }
    }
}
