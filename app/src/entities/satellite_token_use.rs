//! Table `satellite_token_uses`: the registrations a satellite reported per token, all time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellite_token_uses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub satellite_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_id: i64,
    pub uses: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
