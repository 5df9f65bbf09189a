//! Table `pool_usages`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pool_usages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub virtual_account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    /// Sum of `instance_usages.count` over the pool's instances for this tag, kept in step.
    pub in_use: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
