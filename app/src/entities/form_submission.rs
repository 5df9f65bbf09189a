//! Table `form_submissions`: the first answer to a one-time form id (`services::forms`), kept a day.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "form_submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub form_id: String,
    /// The server function the form posted to: the same id at another endpoint is refused.
    pub endpoint: String,
    /// The first answer, as JSON.
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
