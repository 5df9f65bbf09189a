//! Table `license_lots`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license_lots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub virtual_account_id: i64,
    pub license_id: i64,
    pub quantity: i64,
    pub starts_at: DateTimeUtc,
    /// None for a perpetual lot.
    pub ends_at: Option<DateTimeUtc>,
    /// The order or transfer it came from, in words.
    pub source_ref: String,
    /// The lot of another pool it was transferred from; None for a provisioned lot.
    pub origin_lot_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
