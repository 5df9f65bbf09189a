//! Table `instance_usages`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_usages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_instance_id: i64,
    /// The pool of the instance, kept here so that usage per pool is one indexed range.
    pub virtual_account_id: i64,
    /// The entitlement tag as the device reported it (it may be in no lot of the pool).
    pub tag: String,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
