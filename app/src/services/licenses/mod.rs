//! The Licenses tab: what a pool holds and uses per license (`list`), one license in detail
//! (`detail`), and transfers of licenses between the pools of a smart account (`transfer`).

mod detail;
mod list;
mod transfer;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entities::{license, license_lot};
use crate::error::AppError;

pub use detail::detail;
pub use list::{list, LicenseQuery, PAGE_SIZE};
pub use transfer::{transfer, TransferRequest};

/// A column of `license_lots`, qualified by its table.
fn lot_col(column: license_lot::Column) -> Expr {
    Expr::col((license_lot::Entity, column))
}

/// A lot counts at `now`: started, and perpetual or not yet ended (as `LotState::at` decides).
fn lot_is_active(now: DateTime<Utc>) -> Expr {
    lot_col(license_lot::Column::StartsAt).lte(now).and(
        lot_col(license_lot::Column::EndsAt)
            .is_null()
            .or(lot_col(license_lot::Column::EndsAt).gt(now)),
    )
}

/// A catalogue license by id, or `NotFound`.
async fn find_license(db: &impl ConnectionTrait, id: i64) -> Result<license::Model, AppError> {
    license::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
