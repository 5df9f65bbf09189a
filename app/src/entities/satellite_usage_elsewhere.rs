//! Table `satellite_usage_elsewhere` (a satellite's own database): licenses in use outside the
//! satellite per virtual account and tag, as the last response file said. The satellite's
//! `pool_usages` counters include it, so compliance between syncs counts every device of the pool.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellite_usage_elsewhere")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub virtual_account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    pub in_use: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
