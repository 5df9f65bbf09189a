//! Table `usage_snapshots`: one day of one license in one virtual account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub virtual_account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub purchased: i64,
    pub in_use: i64,
    pub instances: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
