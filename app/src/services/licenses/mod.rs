//! The Licenses tab: what a pool holds and uses per license (`list`), one license in detail
//! (`detail`), and transfers of licenses between the pools of a smart account (`transfer`).

mod detail;
mod list;
mod transfer;

use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entities::{license, license_lot};
use crate::error::AppError;

pub use detail::detail;
pub use list::{list, PAGE_SIZE};
pub use transfer::transfer;

/// A column of `license_lots`, qualified by its table.
fn lot_col(column: license_lot::Column) -> Expr {
    Expr::col((license_lot::Entity, column))
}

/// A catalogue license by id, or `NotFound`.
async fn find_license(db: &impl ConnectionTrait, id: i64) -> Result<license::Model, AppError> {
    license::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
