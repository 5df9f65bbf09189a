//! The license catalogue and license lots, as the operator's command line provisions them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::licenses::Quantity;
use crate::domain::names::LicenseTag;
use crate::entities::{license, license_lot};
use crate::error::AppError;

use super::events::{self, NewEvent};
use super::{is_unique_violation, users};

/// Adds a license to the catalogue.
pub async fn add_license(
    db: &impl ConnectionTrait,
    tag: &str,
    name: &str,
    product_family: &str,
) -> Result<license::Model, AppError> {
    let tag = LicenseTag::parse("tag", tag)?.into_string();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::validation(
            "name",
            "Give the license a name of 1 to 200 characters.",
        ));
    }
    let family = product_family.trim();
    if family.is_empty() || family.chars().count() > 100 {
        return Err(AppError::validation(
            "family",
            "Give a product family of 1 to 100 characters.",
        ));
    }
    license::ActiveModel {
        tag: Set(tag.clone()),
        name: Set(name.to_owned()),
        product_family: Set(family.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::validation("tag", format!("The catalogue already has {tag}."))
        } else {
            e.into()
        }
    })
}

/// One lot to provision.
pub struct NewLot<'a> {
    pub account: &'a str,
    pub pool: &'a str,
    pub tag: &'a str,
    pub quantity: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub source_ref: &'a str,
}

/// Adds a lot of a catalogue license to a virtual account, with its event.
pub async fn provision(
    db: &(impl ConnectionTrait + TransactionTrait),
    lot: NewLot<'_>,
    now: DateTime<Utc>,
) -> Result<license_lot::Model, AppError> {
    let quantity = Quantity::try_from(lot.quantity)
        .map_err(|_| AppError::validation("quantity", "Give a quantity from 1 to 1,000,000,000."))?
        .get();
    if let Some(end) = lot.ends_at {
        if end <= lot.starts_at {
            return Err(AppError::validation(
                "end",
                "The end must be after the start.",
            ));
        }
    }
    let tag = LicenseTag::parse("tag", lot.tag)?.into_string();
    let account = users::find_account(db, lot.account).await?;
    let pool = users::find_pool(db, account.id, lot.pool).await?;
    let license = license::Entity::find()
        .filter(license::Column::Tag.eq(tag.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation("tag", format!("The catalogue has no {tag}; add it first."))
        })?;
    let txn = crate::services::begin_writing(db).await?;
    let created = license_lot::ActiveModel {
        virtual_account_id: Set(pool.id),
        license_id: Set(license.id),
        quantity: Set(quantity),
        starts_at: Set(lot.starts_at),
        ends_at: Set(lot.ends_at),
        source_ref: Set(lot.source_ref.trim().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let term = match lot.ends_at {
        Some(end) => format!("until {}", end.format("%Y-%m-%d")),
        None => "perpetual".to_owned(),
    };
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: account.id,
            virtual_account_id: Some(pool.id),
            actor: "operator",
            kind: EventKind::LicenseProvisioned,
            message: format!(
                "{} × {} ({}) provisioned, {term}",
                quantity, license.tag, license.name
            ),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}
