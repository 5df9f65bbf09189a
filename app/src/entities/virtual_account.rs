//! Table `virtual_accounts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "virtual_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub smart_account_id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
    /// How many product instances it holds, moved with every instance added, removed or moved
    /// (`services::pools::move_instance_count`).
    pub instance_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
