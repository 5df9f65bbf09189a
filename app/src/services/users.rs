//! Smart accounts and users, as the operator's command line creates them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::names::{PoolName, Username};
use crate::domain::roles::Role;
use crate::entities::{membership, pool_grant, smart_account, user, virtual_account};
use crate::error::AppError;

use super::events::{self, NewEvent};
use super::{auth, is_unique_violation};

/// The name of the virtual account every new smart account starts with.
pub const DEFAULT_POOL_NAME: &str = "Default";

/// Finds a smart account by its exact name.
pub async fn find_account(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<smart_account::Model, AppError> {
    smart_account::Entity::find()
        .filter(smart_account::Column::Name.eq(name.trim()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "account",
                format!("No smart account named \"{}\".", name.trim()),
            )
        })
}

/// Finds a virtual account of a smart account by name (case-insensitive).
pub async fn find_pool(
    db: &impl ConnectionTrait,
    smart_account_id: i64,
    name: &str,
) -> Result<virtual_account::Model, AppError> {
    virtual_account::Entity::find()
        .filter(virtual_account::Column::SmartAccountId.eq(smart_account_id))
        .filter(
            Expr::from(Func::lower(Expr::col(virtual_account::Column::Name)))
                .eq(name.trim().to_lowercase()),
        )
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "pool",
                format!("No virtual account named \"{}\".", name.trim()),
            )
        })
}

/// Creates a smart account, its default virtual account and its first admin, in one transaction.
pub async fn create_account(
    db: &(impl ConnectionTrait + TransactionTrait),
    account_name: &str,
    admin: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(smart_account::Model, user::Model), AppError> {
    let account_name = PoolName::parse("account", account_name)?;
    let admin = Username::parse(admin)?;
    auth::check_new_password(password, admin.as_str())?;
    let hash = auth::hash_password(password.to_owned()).await?;
    let txn = crate::services::begin_writing(db).await?;
    let account = smart_account::ActiveModel {
        name: Set(account_name.as_str().to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::validation(
                "account",
                format!(
                    "A smart account named \"{}\" already exists.",
                    account_name.as_str()
                ),
            )
        } else {
            e.into()
        }
    })?;
    let pool = virtual_account::ActiveModel {
        smart_account_id: Set(account.id),
        name: Set(DEFAULT_POOL_NAME.to_owned()),
        description: Set("Created with the smart account".to_owned()),
        is_default: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let user = insert_user(&txn, &admin, hash, now).await?;
    insert_membership(&txn, user.id, account.id, Role::AccountAdmin, &[]).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: account.id,
            virtual_account_id: Some(pool.id),
            actor: "operator",
            kind: EventKind::PoolCreated,
            message: format!("Virtual account \"{}\" created", pool.name),
            instance: None,
        },
    )
    .await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: account.id,
            virtual_account_id: None,
            actor: "operator",
            kind: EventKind::UserAdded,
            message: format!(
                "User \"{}\" added as {}",
                user.username,
                Role::AccountAdmin.label()
            ),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((account, user))
}

async fn insert_user(
    db: &impl ConnectionTrait,
    username: &Username,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    user::ActiveModel {
        username: Set(username.as_str().to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        password_set_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::validation(
                "username",
                format!("The username \"{}\" is taken.", username.as_str()),
            )
        } else {
            e.into()
        }
    })
}

async fn insert_membership(
    db: &impl ConnectionTrait,
    user_id: i64,
    smart_account_id: i64,
    role: Role,
    pools: &[i64],
) -> Result<(), AppError> {
    let member = membership::ActiveModel {
        user_id: Set(user_id),
        smart_account_id: Set(smart_account_id),
        role: Set(role),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for &pool in pools {
        pool_grant::ActiveModel {
            membership_id: Set(member.id),
            virtual_account_id: Set(pool),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Adds a user to a smart account with a role; pool roles need at least one virtual account.
pub async fn add_user(
    db: &(impl ConnectionTrait + TransactionTrait),
    account_name: &str,
    username: &str,
    password: &str,
    role: Role,
    pool_names: &[String],
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let username = Username::parse(username)?;
    auth::check_new_password(password, username.as_str())?;
    let account = find_account(db, account_name).await?;
    if role.is_account_wide() && !pool_names.is_empty() {
        return Err(AppError::validation(
            "pool",
            format!(
                "{} sees every virtual account; give no pools.",
                role.label()
            ),
        ));
    }
    if !role.is_account_wide() && pool_names.is_empty() {
        return Err(AppError::validation(
            "pool",
            format!(
                "A {} needs at least one virtual account.",
                role.label().to_lowercase()
            ),
        ));
    }
    let mut pools = Vec::new();
    for name in pool_names {
        pools.push(find_pool(db, account.id, name).await?.id);
    }
    let hash = auth::hash_password(password.to_owned()).await?;
    let txn = crate::services::begin_writing(db).await?;
    let user = insert_user(&txn, &username, hash, now).await?;
    insert_membership(&txn, user.id, account.id, role, &pools).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: account.id,
            virtual_account_id: None,
            actor: "operator",
            kind: EventKind::UserAdded,
            message: format!("User \"{}\" added as {}", user.username, role.label()),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}
