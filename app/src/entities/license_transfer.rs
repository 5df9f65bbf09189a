//! Table `license_transfers`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license_transfers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub smart_account_id: i64,
    pub license_id: i64,
    pub from_virtual_account_id: i64,
    pub to_virtual_account_id: i64,
    pub quantity: i64,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
