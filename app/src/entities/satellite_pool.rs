//! Table `satellite_pools`: the virtual accounts a satellite serves.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellite_pools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub satellite_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub virtual_account_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
