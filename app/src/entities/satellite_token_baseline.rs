//! Table `satellite_token_baselines` (a satellite's own database): each token's uses elsewhere, as
//! the last response file said; the satellite's own registrations are its `tokens.uses` above it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satellite_token_baselines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_id: i64,
    pub uses_elsewhere: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
