//! Table `traditional_licenses`: PAK-style entitlements the operator provisioned, each converted to a
//! smart license lot at most once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "traditional_licenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub smart_account_id: i64,
    /// The product authorization key of the order.
    #[sea_orm(unique)]
    pub pak: String,
    pub tag: String,
    pub quantity: i64,
    pub description: String,
    pub provisioned_at: DateTimeUtc,
    pub converted_at: Option<DateTimeUtc>,
    pub converted_pool_id: Option<i64>,
    pub converted_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
