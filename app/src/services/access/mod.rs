//! The Users page: account admins add users (who set their own password on a one-time link), change
//! roles and virtual accounts, disable and enable, reset passwords and remove. Every change writes
//! an account-level event naming who did what to whom, and none leaves the account without an
//! active account admin.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::names::Username;
use crate::domain::roles::{Action, Actor, Role};
use crate::domain::users::{check_last_admin, check_role_pools, Member};
use crate::entities::{membership, pool_grant, smart_account, user, virtual_account};
use crate::error::AppError;
use crate::model::UserForm;

use super::events::record_account as record;
use super::{require, sessions, sign_in_links};

mod list;

pub use list::{list, PAGE_SIZE};

/// A sign-in link just made: the user's name, the link's secret and when it expires. `None` secret:
/// the user already had a password (they belong to another smart account too).
pub struct Issued {
    pub username: String,
    pub secret: Option<String>,
    pub expires_at: DateTime<Utc>,
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw.trim()).ok_or_else(|| AppError::validation("role", "Choose a role."))
}

/// The pool ids given, each checked to be a virtual account of the actor's smart account.
async fn own_pools(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pools: &[i64],
) -> Result<Vec<i64>, AppError> {
    let mut ids = pools.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found: Vec<i64> = virtual_account::Entity::find()
        .select_only()
        .column(virtual_account::Column::Id)
        .filter(virtual_account::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(virtual_account::Column::Id.is_in(ids.clone()))
        .into_tuple()
        .all(db)
        .await?;
    if found.len() != ids.len() {
        return Err(AppError::validation(
            "pools",
            "A chosen virtual account no longer exists.",
        ));
    }
    Ok(ids)
}

/// Takes the smart account's row for this transaction (row lock on PostgreSQL, the write lock on
/// SQLite), so that two admins changing admins at once are decided one after the other.
async fn lock_account(db: &impl ConnectionTrait, smart_account_id: i64) -> Result<(), AppError> {
    smart_account::Entity::update_many()
        .col_expr(
            smart_account::Column::RequireTwoFactor,
            Expr::col(smart_account::Column::RequireTwoFactor),
        )
        .filter(smart_account::Column::Id.eq(smart_account_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn active_admins(
    db: &impl ConnectionTrait,
    smart_account_id: i64,
) -> Result<usize, AppError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::SmartAccountId.eq(smart_account_id))
        .filter(membership::Column::Role.eq(Role::AccountAdmin))
        .filter(membership::Column::DisabledAt.is_null())
        .count(db)
        .await? as usize)
}

/// The member `user_id` of the actor's smart account, or `NotFound`.
async fn member_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
) -> Result<(membership::Model, user::Model), AppError> {
    let member = membership::Entity::find()
        .filter(membership::Column::SmartAccountId.eq(actor.smart_account_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((member, found))
}

async fn pool_names(db: &impl ConnectionTrait, ids: &[i64]) -> Result<String, AppError> {
    let names: Vec<String> = virtual_account::Entity::find()
        .select_only()
        .column(virtual_account::Column::Name)
        .filter(virtual_account::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(virtual_account::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(names.join(", "))
}

fn role_text(role: Role, pools: &str) -> String {
    if role.is_account_wide() {
        role.label().to_owned()
    } else {
        format!("{} of {pools}", role.label())
    }
}

/// Adds a user with a role (and virtual accounts for pool roles); a new user gets a sign-in link.
pub async fn add(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    form: &UserForm,
    now: DateTime<Utc>,
) -> Result<Issued, AppError> {
    require(actor, Action::ManageUsers)?;
    let username = Username::parse(&form.username)?;
    let role = parse_role(&form.role)?;
    check_role_pools(role, &form.pools)?;
    let txn = crate::services::begin_writing(db).await?;
    let pools = own_pools(&txn, actor, &form.pools).await?;
    let existing = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(&txn)
        .await?;
    let (found, new) = match existing {
        Some(found) => {
            let already = membership::Entity::find()
                .filter(membership::Column::UserId.eq(found.id))
                .filter(membership::Column::SmartAccountId.eq(actor.smart_account_id))
                .count(&txn)
                .await?;
            if already > 0 {
                return Err(AppError::validation(
                    "username",
                    format!("\"{}\" is already a user of this account.", found.username),
                ));
            }
            let new = found.password_set_at.is_none();
            (found, new)
        }
        None => (
            user::ActiveModel {
                username: Set(username.as_str().to_owned()),
                password_hash: Set(String::new()),
                created_at: Set(now),
                password_set_at: Set(None),
                last_sign_in_at: Set(None),
                totp_secret: Set(None),
                totp_enabled: Set(false),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| {
                if super::is_unique_violation(&e) {
                    AppError::validation("username", "This username was just taken; try again.")
                } else {
                    e.into()
                }
            })?,
            true,
        ),
    };
    let member = membership::ActiveModel {
        user_id: Set(found.id),
        smart_account_id: Set(actor.smart_account_id),
        role: Set(role),
        disabled_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for &pool in &pools {
        pool_grant::ActiveModel {
            membership_id: Set(member.id),
            virtual_account_id: Set(pool),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let (secret, expires_at) = if new {
        let (secret, expires) = sign_in_links::issue(&txn, found.id, now).await?;
        (Some(secret), expires)
    } else {
        (None, now)
    };
    let names = pool_names(&txn, &pools).await?;
    record(
        &txn,
        actor,
        EventKind::UserAdded,
        format!(
            "{} added user \"{}\" as {}",
            actor.username,
            found.username,
            role_text(role, &names)
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        username: found.username,
        secret,
        expires_at,
    })
}

/// Changes a user's role and virtual accounts.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    form: &UserForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    require(actor, Action::ManageUsers)?;
    let user_id = form.id.ok_or(AppError::NotFound)?;
    let role = parse_role(&form.role)?;
    check_role_pools(role, &form.pools)?;
    let txn = crate::services::begin_writing(db).await?;
    lock_account(&txn, actor.smart_account_id).await?;
    let (member, found) = member_of(&txn, actor, user_id).await?;
    let pools = own_pools(&txn, actor, &form.pools).await?;
    let disabled = member.disabled_at.is_some();
    check_last_admin(
        active_admins(&txn, actor.smart_account_id).await?,
        Member {
            role: member.role,
            disabled,
        },
        Some(Member { role, disabled }),
    )?;
    membership::Entity::update_many()
        .col_expr(membership::Column::Role, Expr::value(role))
        .filter(membership::Column::Id.eq(member.id))
        .exec(&txn)
        .await?;
    pool_grant::Entity::delete_many()
        .filter(pool_grant::Column::MembershipId.eq(member.id))
        .exec(&txn)
        .await?;
    for &pool in &pools {
        pool_grant::ActiveModel {
            membership_id: Set(member.id),
            virtual_account_id: Set(pool),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let names = pool_names(&txn, &pools).await?;
    record(
        &txn,
        actor,
        EventKind::UserChanged,
        format!(
            "{} made \"{}\" {} (was {})",
            actor.username,
            found.username,
            role_text(role, &names),
            member.role.label()
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Disables a user in the account (their sessions in it end at once) or enables them again.
pub async fn set_disabled(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: i64,
    disable: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    require(actor, Action::ManageUsers)?;
    let txn = crate::services::begin_writing(db).await?;
    lock_account(&txn, actor.smart_account_id).await?;
    let (member, found) = member_of(&txn, actor, user_id).await?;
    let before = Member {
        role: member.role,
        disabled: member.disabled_at.is_some(),
    };
    if before.disabled == disable {
        txn.commit().await?;
        return Ok(());
    }
    check_last_admin(
        active_admins(&txn, actor.smart_account_id).await?,
        before,
        Some(Member {
            disabled: disable,
            ..before
        }),
    )?;
    membership::Entity::update_many()
        .col_expr(
            membership::Column::DisabledAt,
            Expr::value(disable.then_some(now)),
        )
        .filter(membership::Column::Id.eq(member.id))
        .exec(&txn)
        .await?;
    if disable {
        end_sessions_in(&txn, user_id, actor.smart_account_id).await?;
    }
    let (kind, verb) = if disable {
        (EventKind::UserDisabled, "disabled")
    } else {
        (EventKind::UserEnabled, "enabled")
    };
    record(
        &txn,
        actor,
        kind,
        format!("{} {verb} user \"{}\"", actor.username, found.username),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends the user's sessions working in `smart_account_id`.
async fn end_sessions_in(
    db: &impl ConnectionTrait,
    user_id: i64,
    smart_account_id: i64,
) -> Result<(), AppError> {
    use crate::entities::user_session;
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(user_session::Column::SmartAccountId.eq(smart_account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a user a new one-time sign-in link: their password stops working and their sessions end.
pub async fn reset_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Issued, AppError> {
    require(actor, Action::ManageUsers)?;
    let txn = crate::services::begin_writing(db).await?;
    let (_, found) = member_of(&txn, actor, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(String::new()))
        .col_expr(
            user::Column::PasswordSetAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    sessions::end_all(&txn, user_id, None).await?;
    let (secret, expires_at) = sign_in_links::issue(&txn, user_id, now).await?;
    record(
        &txn,
        actor,
        EventKind::UserPasswordReset,
        format!(
            "{} reset the password of \"{}\" (a new sign-in link)",
            actor.username, found.username
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        username: found.username,
        secret: Some(secret),
        expires_at,
    })
}

/// Removes a user from the account; a user left in no account is deleted.
pub async fn remove(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    require(actor, Action::ManageUsers)?;
    let txn = crate::services::begin_writing(db).await?;
    lock_account(&txn, actor.smart_account_id).await?;
    let (member, found) = member_of(&txn, actor, user_id).await?;
    check_last_admin(
        active_admins(&txn, actor.smart_account_id).await?,
        Member {
            role: member.role,
            disabled: member.disabled_at.is_some(),
        },
        None,
    )?;
    pool_grant::Entity::delete_many()
        .filter(pool_grant::Column::MembershipId.eq(member.id))
        .exec(&txn)
        .await?;
    membership::Entity::delete_by_id(member.id)
        .exec(&txn)
        .await?;
    end_sessions_in(&txn, user_id, actor.smart_account_id).await?;
    let left = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .count(&txn)
        .await?;
    if left == 0 {
        user::Entity::delete_by_id(user_id).exec(&txn).await?;
    }
    record(
        &txn,
        actor,
        EventKind::UserRemoved,
        format!("{} removed user \"{}\"", actor.username, found.username),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
