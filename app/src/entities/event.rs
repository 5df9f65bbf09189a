//! Table `events`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub smart_account_id: i64,
    /// None for account-wide events (a deleted virtual account, a new user).
    pub virtual_account_id: Option<i64>,
    pub at: DateTimeUtc,
    /// Who: a username, `device <UDI>` or `operator`.
    pub actor: String,
    pub kind: crate::domain::events::EventKind,
    pub message: String,
    /// The product instance the event is about, if any.
    pub product_instance_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
