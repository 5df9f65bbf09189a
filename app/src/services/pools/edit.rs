//! Changes to virtual accounts: create, rename and describe, make default, delete; each with its
//! event in the same transaction.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{count_instances, find_visible, holdings};
use crate::domain::error::Refusal;
use crate::domain::events::EventKind;
use crate::domain::names::{Description, PoolName};
use crate::domain::roles::{Action, Actor};
use crate::entities::{license_lot, pool_grant, virtual_account};
use crate::error::AppError;
use crate::model::PoolRow;
use crate::services::events::{self, NewEvent};
use crate::services::{is_unique_violation, require};

async fn ensure_name_free(
    db: &impl ConnectionTrait,
    smart_account_id: i64,
    name: &PoolName,
    except: Option<i64>,
) -> Result<(), AppError> {
    let mut query = virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(smart_account_id))
        .filter(
            Expr::from(Func::lower(Expr::col(virtual_account::Column::Name)))
                .eq(name.as_str().to_lowercase()),
        );
    if let Some(id) = except {
        query = query.filter(virtual_account::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(name_taken(name));
    }
    Ok(())
}

fn name_taken(name: &PoolName) -> AppError {
    AppError::validation(
        "name",
        format!(
            "A virtual account named \"{}\" already exists.",
            name.as_str()
        ),
    )
}

/// Creates a virtual account in the actor's smart account. The first one becomes the default.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: &str,
    description: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PoolRow, AppError> {
    require(actor, Action::ManagePools)?;
    let name = PoolName::parse("name", name)?;
    let description = Description::parse("description", description)?;
    let txn = crate::services::begin_writing(db).await?;
    ensure_name_free(&txn, actor.smart_account_id, &name, None).await?;
    let has_default = virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(virtual_account::Column::IsDefault.eq(true))
        .one(&txn)
        .await?
        .is_some();
    let created = virtual_account::ActiveModel {
        smart_account_id: Set(actor.smart_account_id),
        name: Set(name.as_str().to_owned()),
        description: Set(description.as_str().to_owned()),
        is_default: Set(!has_default),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            name_taken(&name)
        } else {
            e.into()
        }
    })?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(created.id),
            actor: &actor.who(),
            kind: EventKind::PoolCreated,
            message: format!("Virtual account \"{}\" created", created.name),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(PoolRow {
        id: created.id,
        name: created.name,
        description: created.description,
        is_default: created.is_default,
        licenses: 0,
        tokens: 0,
        instances: 0,
        can_change: true,
    })
}

/// Renames and describes a virtual account; writes one event per changed field.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    name: &str,
    description: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let current = find_visible(db, actor, id).await?;
    require(actor, Action::ChangePool(id))?;
    let name = PoolName::parse("name", name)?;
    let description = Description::parse("description", description)?;
    let renamed = name.as_str() != current.name;
    let described = description.as_str() != current.description;
    if !renamed && !described {
        return Ok(());
    }
    let txn = crate::services::begin_writing(db).await?;
    if renamed {
        ensure_name_free(&txn, actor.smart_account_id, &name, Some(id)).await?;
    }
    let old_name = current.name.clone();
    let mut active = current.into_active_model();
    active.name = Set(name.as_str().to_owned());
    active.description = Set(description.as_str().to_owned());
    active.update(&txn).await.map_err(|e| {
        if is_unique_violation(&e) {
            name_taken(&name)
        } else {
            e.into()
        }
    })?;
    let who = actor.who();
    let write = |kind, message| {
        events::record(
            &txn,
            now,
            NewEvent {
                smart_account_id: actor.smart_account_id,
                virtual_account_id: Some(id),
                actor: &who,
                kind,
                message,
                instance: None,
            },
        )
    };
    if renamed {
        write(
            EventKind::PoolRenamed,
            format!(
                "Virtual account \"{old_name}\" renamed to \"{}\"",
                name.as_str()
            ),
        )
        .await?;
    }
    if described {
        write(
            EventKind::PoolDescribed,
            format!("Description of \"{}\" changed", name.as_str()),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Makes a virtual account the smart account's default.
pub async fn set_default(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let target = find_visible(db, actor, id).await?;
    require(actor, Action::ManagePools)?;
    if target.is_default {
        return Ok(());
    }
    let txn = crate::services::begin_writing(db).await?;
    virtual_account::Entity::update_many()
        .col_expr(virtual_account::Column::IsDefault, Expr::value(false))
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id))
        .exec(&txn)
        .await?;
    virtual_account::Entity::update_many()
        .col_expr(virtual_account::Column::IsDefault, Expr::value(true))
        .filter(virtual_account::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(id),
            actor: &actor.who(),
            kind: EventKind::PoolMadeDefault,
            message: format!("\"{}\" is now the default virtual account", target.name),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes an empty, non-default virtual account.
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let target = find_visible(db, actor, id).await?;
    require(actor, Action::ManagePools)?;
    if target.is_default {
        return Err(Refusal::DefaultPool { name: target.name }.into());
    }
    let txn = crate::services::begin_writing(db).await?;
    // Any lot counts, expired ones too: they are the pool's history of purchases.
    let lots: i64 = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.eq(id))
        .select_only()
        .column_as(
            Expr::col(license_lot::Column::Quantity)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            "n",
        )
        .into_tuple::<Option<i64>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0);
    let [_, tokens] = holdings(&txn, &[id], now).await?;
    let tokens = tokens.get(&id).copied().unwrap_or(0);
    let instances = count_instances(&txn, id).await?;
    if lots > 0 || tokens > 0 || instances > 0 {
        return Err(Refusal::PoolNotEmpty {
            name: target.name,
            licenses: lots,
            tokens,
            instances,
        }
        .into());
    }
    pool_grant::Entity::delete_many()
        .filter(pool_grant::Column::VirtualAccountId.eq(id))
        .exec(&txn)
        .await?;
    virtual_account::Entity::delete_by_id(id).exec(&txn).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: None,
            actor: &actor.who(),
            kind: EventKind::PoolDeleted,
            message: format!("Virtual account \"{}\" deleted", target.name),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
