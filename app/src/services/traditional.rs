//! Traditional (PAK-style) licenses: the operator provisions them for a smart account; a user who may
//! change a virtual account converts one into a smart license lot there, once ("upgrade from
//! Traditional Licensing"). The conversion marks the entitlement under a condition (not yet
//! converted) in the transaction that makes the lot, so two conversions at once make one lot.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::licenses::Quantity;
use crate::domain::names::LicenseTag;
use crate::domain::roles::{Action, Actor};
use crate::entities::{license, license_lot, traditional_license as tl, virtual_account};
use crate::error::AppError;
use crate::model::{ConvertForm, TraditionalList, TraditionalRow};

use super::events::{self, NewEvent};
use super::{pools, require, users};

/// Provisions a traditional license (the operator's command line).
pub async fn provision(
    db: &impl ConnectionTrait,
    account: &str,
    pak: &str,
    tag: &str,
    quantity: i64,
    description: &str,
    now: DateTime<Utc>,
) -> Result<tl::Model, AppError> {
    let account = users::find_account(db, account).await?;
    let pak = pak.trim();
    if pak.is_empty() || pak.len() > 64 || pak.chars().any(char::is_control) {
        return Err(AppError::validation(
            "pak",
            "Give the PAK: 1 to 64 characters.",
        ));
    }
    let tag = LicenseTag::parse("tag", tag)?.into_string();
    license::Entity::find()
        .filter(license::Column::Tag.eq(tag.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation("tag", format!("The catalogue has no {tag}; add it first."))
        })?;
    let quantity = Quantity::try_from(quantity)
        .map_err(|_| AppError::validation("quantity", "Give a quantity from 1 to 1,000,000,000."))?
        .get();
    tl::ActiveModel {
        smart_account_id: Set(account.id),
        pak: Set(pak.to_owned()),
        tag: Set(tag),
        quantity: Set(quantity),
        description: Set(description.trim().to_owned()),
        provisioned_at: Set(now),
        converted_at: Set(None),
        converted_pool_id: Set(None),
        converted_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        if super::is_unique_violation(&e) {
            AppError::validation("pak", format!("The PAK {pak} is provisioned already."))
        } else {
            e.into()
        }
    })
}

/// Whether the account has any traditional license (one indexed probe).
pub async fn any(db: &impl ConnectionTrait, smart_account_id: i64) -> Result<bool, AppError> {
    Ok(tl::Entity::find()
        .filter(tl::Column::SmartAccountId.eq(smart_account_id))
        .one(db)
        .await?
        .is_some())
}

/// The account's traditional licenses, newest first, and the virtual accounts the user may convert
/// into.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<TraditionalList, AppError> {
    let rows = tl::Entity::find()
        .filter(tl::Column::SmartAccountId.eq(actor.smart_account_id))
        .order_by_desc(tl::Column::Id)
        .all(db)
        .await?;
    let visible = pools::refs(db, actor).await?;
    let names: std::collections::HashMap<String, String> = license::Entity::find()
        .filter(license::Column::Tag.is_in(rows.iter().map(|r| r.tag.clone()).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.tag, l.name))
        .collect();
    let pool_name = |id: i64| {
        visible
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| "another virtual account".to_owned(), |p| p.name.clone())
    };
    Ok(TraditionalList {
        licenses: rows
            .into_iter()
            .map(|r| TraditionalRow {
                converted: match (r.converted_at, r.converted_pool_id) {
                    (Some(at), Some(pool)) => Some((
                        pool_name(pool),
                        at,
                        r.converted_by.clone().unwrap_or_default(),
                    )),
                    _ => None,
                },
                name: names.get(&r.tag).cloned().unwrap_or_default(),
                id: r.id,
                pak: r.pak,
                tag: r.tag,
                quantity: r.quantity,
                description: r.description,
                provisioned_at: r.provisioned_at,
            })
            .collect(),
        pools: visible
            .into_iter()
            .filter(|p| p.can_change)
            .map(|p| (p.id, p.name))
            .collect(),
    })
}

/// Converts a traditional license into a perpetual smart lot in the chosen virtual account, once.
pub async fn convert(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    form: ConvertForm,
    now: DateTime<Utc>,
) -> Result<license_lot::Model, AppError> {
    let pool_id = form.pool.ok_or_else(|| {
        AppError::validation("pool", "Choose the virtual account to put them in.")
    })?;
    let found = tl::Entity::find_by_id(form.id)
        .filter(tl::Column::SmartAccountId.eq(actor.smart_account_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pool: virtual_account::Model = pools::find_visible(db, actor, pool_id)
        .await
        .map_err(|_| AppError::validation("pool", "Choose a virtual account you may change."))?;
    require(actor, Action::ChangePool(pool.id))
        .map_err(|_| AppError::validation("pool", "Choose a virtual account you may change."))?;
    let license = license::Entity::find()
        .filter(license::Column::Tag.eq(found.tag.as_str()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let txn = crate::services::begin_writing(db).await?;
    let marked = tl::Entity::update_many()
        .col_expr(tl::Column::ConvertedAt, Expr::value(now))
        .col_expr(tl::Column::ConvertedPoolId, Expr::value(pool.id))
        .col_expr(tl::Column::ConvertedBy, Expr::value(actor.who()))
        .filter(tl::Column::Id.eq(found.id))
        .filter(tl::Column::ConvertedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected == 0 {
        return Err(AppError::validation(
            "id",
            format!("The PAK {} is converted already.", found.pak),
        ));
    }
    let lot = license_lot::ActiveModel {
        virtual_account_id: Set(pool.id),
        license_id: Set(license.id),
        quantity: Set(found.quantity),
        starts_at: Set(now),
        ends_at: Set(None),
        source_ref: Set(format!("converted from PAK {}", found.pak)),
        origin_lot_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(pool.id),
            actor: &actor.who(),
            kind: EventKind::LicenseConverted,
            message: format!(
                "{} × {} converted to Smart Licensing from PAK {}",
                found.quantity, found.tag, found.pak
            ),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(lot)
}
