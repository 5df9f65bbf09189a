//! The Licenses tab: what a pool holds and uses per license (`list`), one license in detail
//! (`detail`), and transfers of licenses between the pools of a smart account (`transfer`).

mod detail;
mod list;
pub mod resolve;
mod transfer;

use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entities::{license, license_lot};
use crate::error::AppError;

pub use detail::detail;
pub use list::{list, PAGE_SIZE};
pub use transfer::{transfer, transfer_many};

/// A column of `license_lots`, qualified by its table.
fn lot_col(column: license_lot::Column) -> Expr {
    Expr::col((license_lot::Entity, column))
}

/// A catalogue license by its tag, or `NotFound`.
pub async fn find_by_tag(db: &impl ConnectionTrait, tag: &str) -> Result<license::Model, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    license::Entity::find()
        .filter(license::Column::Tag.eq(tag.trim()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A catalogue license by id, or `NotFound`.
async fn find_license(db: &impl ConnectionTrait, id: i64) -> Result<license::Model, AppError> {
    license::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
