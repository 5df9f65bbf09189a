//! Table `license_forecasts`: the day a license of a virtual account is expected to run short.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license_forecasts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub virtual_account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    pub shortage_on: Date,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
