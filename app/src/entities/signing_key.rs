//! Table `signing_keys`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    /// Always 1: one key per portal.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub algorithm: String,
    /// The ed25519 secret key, hex.
    pub secret_hex: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
